import { App } from 'cdktn';
import { APP_CONTEXT } from './app-context';
import { CalculatorStack } from './calculator-stack';
import { STAGES } from './stages';

/**
 * `npm run synth`: writes every stage to cdktf.out/stacks/calculator-STAGE with plain node (no cdktn
 * CLI needed). The infra app's composition root.
 */
const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out', context: { ...APP_CONTEXT } });
for (const [stage, config] of Object.entries(STAGES)) new CalculatorStack(app, `calculator-${stage}`, config);
app.synth();
