/**
 * The CDK app `cdk synth` / `cdk deploy` run (see cdk.json): every stack of one deployment, configured by the
 * context (`-c account=... -c replicaRegion=...`) and the tunables file (`-c tunables=<path>` to try another).
 */
import { App } from 'aws-cdk-lib';
import { defineStacks } from './app-builder.ts';
import { DEFAULT_TUNABLES_PATH, loadTunables } from './tunables.ts';

const app = new App();
const tunablesPath: unknown = app.node.tryGetContext('tunables');
defineStacks(app, {
  tunables: loadTunables(
    typeof tunablesPath === 'string' && tunablesPath !== '' ? tunablesPath : DEFAULT_TUNABLES_PATH,
  ),
});
