export interface InstructionsInput {
  appUrl: string;
  unleashUiUrl: string;
  flagName: string;
  /** The environment of the app's backend token; undefined when it cannot be read from the token. */
  environment: string | undefined;
  /** Set when this process started Unleash (with the default admin user and the local admin token). */
  local?: { adminToken: string };
}

/** What `npm start` prints once everything is up: what to open, what to click, what to expect. */
export function instructions({ appUrl, unleashUiUrl, flagName, environment, local }: InstructionsInput): string {
  const env = environment ? `"${environment}"` : 'the environment your UNLEASH_API_TOKEN is for';
  const flagPage = `${unleashUiUrl}/projects/default/features/${encodeURIComponent(flagName)}`;
  const lines = [
    '',
    `  koa-unleash-maintenance demo is running. Ctrl-C stops everything.`,
    '',
    `  Demo app    ${appUrl}/          home page, behind maintenance()`,
    `              ${appUrl}/checkout  checkout, behind a default @koa/router (close it alone, below)`,
    `              ${appUrl}/admin/    admin area, always open (allowedUrls)`,
    `              ${appUrl}/healthz   health check, always open (allowedUrls)`,
    local
      ? `  Unleash UI  ${unleashUiUrl}/          sign in as admin / unleash4all`
      : `  Unleash UI  ${unleashUiUrl}/          your own Unleash`,
    '',
    '  Try it:',
    `    1. Open ${appUrl}/ : the home page (200).`,
    ...(local
      ? [
          `    2. Open ${flagPage} , sign in as admin / unleash4all`,
          `       (close the welcome dialog), and switch on the toggle of the ${env} environment:`,
          `       the environment of the demo app's backend token.`,
        ]
      : [
          `    2. In your Unleash UI, create the flag "${flagName}" (project Default) if it does not`,
          `       exist yet, and switch it on in ${environment ? `the ${env} environment` : env}:`,
          `       the environment of the demo app's backend token.`,
        ]),
    `    3. Reload ${appUrl}/ within a second or two: the maintenance page (503).`,
    `       ${appUrl}/admin/ and ${appUrl}/healthz still answer 200.`,
    '    4. Switch the flag off again and reload: the home page is back.',
  ];
  if (local && environment) {
    const flagUrl = `${unleashUiUrl}/api/admin/projects/default/features/${encodeURIComponent(flagName)}/environments/${encodeURIComponent(environment)}`;
    const command = `UNLEASH_URL=${unleashUiUrl} UNLEASH_ADMIN_TOKEN='${local.adminToken}' npx tsx src/cli/main.ts`;
    lines.push(
      '',
      '  Or from a terminal (the admin token is a throwaway made for this local Unleash):',
      `    curl -X POST -H 'Authorization: ${local.adminToken}' ${flagUrl}/on`,
      `    curl -i ${appUrl}/`,
      `    curl -X POST -H 'Authorization: ${local.adminToken}' ${flagUrl}/off`,
      '',
      '  Schedule a window with the deploy command (unleash-maintenance, here run from this clone):',
      `    ${command} on -e ${environment} --flag ${flagName} --from 1m --until 3m --title 'Database upgrade'`,
      `    Reload ${appUrl}/ : a banner announces the window; in a minute the maintenance page;`,
      `    two minutes later the home page again, by itself. ${appUrl}/maintenance.json shows each stage.`,
      `    ${command} status --flag ${flagName}      # off, scheduled, on or ended`,
      `    ${command} off -e ${environment} --flag ${flagName}  # tidies up (or cancels a window)`,
      '',
      '  Close only the checkout; the rest of the site stays open and says so:',
      `    ${command} on -e ${environment} --flag ${flagName} --path /checkout --until 10m --area Checkout`,
      `    Reload ${appUrl}/ : a banner says the checkout is closed; ${appUrl}/checkout answers 503`,
      `    (so do /CHECKOUT, /checkout/payment, POST /checkout). ${appUrl}/maintenance.json?path=/checkout says so too.`,
      `    ${command} off -e ${environment} --flag ${flagName} --path /checkout  # reopens the checkout only`,
      '    In the Unleash UI the same is a strategy with the constraint routePath "starts with" /checkout/,',
      '    case-insensitive (create the context field routePath first, under Configure > Context fields).',
    );
  }
  lines.push('');
  return lines.join('\n');
}
