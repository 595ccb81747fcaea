import { TransportError } from './errors.js';

export type Result<T, E = TransportError> = { ok: true; value: T } | { ok: false; error: E };

// Letters, digits, dot, dash and underscore only: no '/', '+', '#', '$', NUL or space can
// reach a topic, so a name can never widen a subscription or step into another's topic.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Checks a matricule or server name before it becomes a topic level. */
export function validateName(name: unknown): Result<string> {
  if (typeof name !== 'string' || !NAME.test(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : typeof name;
    return { ok: false, error: new TransportError('INVALID_NAME', shown) };
  }
  return { ok: true, value: name };
}

function checked(name: string): string {
  const result = validateName(name);
  if (!result.ok) throw result.error;
  return result.value;
}

/** `xm/v1/{server}/up/{matricule}`: where a site publishes its containers. */
export function upTopic(server: string, matricule: string): string {
  return `xm/v1/${checked(server)}/up/${checked(matricule)}`;
}

/** `xm/v1/{server}/down/{matricule}`: where the server publishes to one site. */
export function downTopic(server: string, matricule: string): string {
  return `xm/v1/${checked(server)}/down/${checked(matricule)}`;
}

/** The wildcard of every site's up topic for one server. */
export function upWildcard(server: string): string {
  return `xm/v1/${checked(server)}/up/+`;
}

/** The MQTT 5 shared subscription that spreads the uplink over all server processes. */
export function sharedUpSubscription(server: string, group = 'xmserver'): string {
  return `$share/${checked(group)}/${upWildcard(server)}`;
}

/** Reads the matricule out of an up topic of `server`; never throws on a hostile topic. */
export function parseUpTopic(server: string, topic: unknown): Result<string> {
  if (typeof topic !== 'string')
    return { ok: false, error: new TransportError('INVALID_TOPIC', typeof topic) };
  const parts = topic.split('/');
  if (
    parts.length !== 5 ||
    parts[0] !== 'xm' ||
    parts[1] !== 'v1' ||
    parts[2] !== server ||
    parts[3] !== 'up'
  ) {
    return { ok: false, error: new TransportError('INVALID_TOPIC', JSON.stringify(topic.slice(0, 120))) };
  }
  return validateName(parts[4]);
}
