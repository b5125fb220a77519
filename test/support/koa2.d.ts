// koa@2 is installed under the alias "koa2" to test the older peer major; its API is typed like koa's.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
