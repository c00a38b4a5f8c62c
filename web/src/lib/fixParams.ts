/**
 * A fix's params from what the learner typed: a number param's text as a number, a blank
 * left out so the action's default applies. The server checks every value against the
 * action's own schema (a bad one is BAD_PARAMS, naming the field and the rule), so nothing
 * here second-guesses it.
 */
import type { ParamDescription } from '../../../server/app/protocol.ts';

export function paramsFrom(params: readonly ParamDescription[], typed: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const param of params) {
    const text = typed[param.name]?.trim() ?? '';
    if (text === '') continue;
    out[param.name] = param.type === 'number' && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  }
  return out;
}
