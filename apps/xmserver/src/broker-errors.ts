import {
  describeReasonCode,
  describeTransportError,
  redactedUrl,
  TransportError,
} from '@xmcomm/mqtt-transport';
import { XmServerError } from './errors.js';

export interface BrokerFailureContext {
  /** The broker that failed, as the operator configured it. */
  readonly url: string;
  /** The account that logged in; absent: anonymous. */
  readonly username?: string | undefined;
  /** The topic the step was about (subscription, test messages). */
  readonly topic?: string | undefined;
  /** What the operator may do about a refused subscription, in English and French. */
  readonly hint?: { readonly en: string; readonly fr: string } | undefined;
}

/**
 * One place that turns the transport's failures into xmserver's errors, so that each step that
 * can fail (reaching the broker, logging in, subscribing, publishing, getting the message back,
 * a plugin command) gets its own message and exit code, never "cannot be reached" for all.
 */
export function brokerFailure(cause: unknown, context: BrokerFailureContext): XmServerError {
  if (XmServerError.isInstance(cause)) return cause;
  // An operator's message never shows the broker password a URL may carry.
  const url = redactedUrl(context.url);
  if (!TransportError.isInstance(cause)) {
    return new XmServerError('broker-unreachable', 'broker', {
      cause,
      params: { url, detail: cause instanceof Error ? cause.message : String(cause) },
    });
  }
  const username = context.username ?? '(anonymous)';
  const topic = context.topic ?? '';
  const reason = (code: number | undefined) =>
    code === undefined
      ? { reasonCode: '-', reason: 'no reason given', reasonFr: 'aucune raison donnée' }
      : {
          reasonCode: code,
          reason: describeReasonCode(code, 'en'),
          reasonFr: describeReasonCode(code, 'fr'),
        };
  switch (cause.code) {
    case 'NOT_AUTHORIZED':
    case 'CONNECT_REFUSED':
      return new XmServerError('broker-login-refused', cause.message, {
        cause,
        params: { url, username, ...reason(cause.reasonCode) },
      });
    case 'SUBSCRIBE_REFUSED':
      return new XmServerError('broker-subscribe-refused', cause.message, {
        cause,
        params: {
          url,
          username,
          topic,
          ...reason(cause.reasonCode),
          ...(context.hint ? { hint: context.hint.en, hintFr: context.hint.fr } : {}),
        },
      });
    case 'PUBLISH_FAILED':
      return new XmServerError('broker-publish-refused', cause.message, {
        cause,
        params: { url, username, topic, ...reason(cause.reasonCode) },
      });
    case 'NOT_DELIVERED':
      return new XmServerError('broker-not-delivered', cause.message, {
        cause,
        params: { url, topic, detail: detailOf(cause) },
      });
    case 'CONNECTION_LOST':
      return new XmServerError('broker-connection-lost', cause.message, {
        cause,
        params: { url, detail: detailOf(cause) },
      });
    case 'TIMEOUT':
      return new XmServerError('broker-timeout', cause.message, {
        cause,
        params: { url, detail: detailOf(cause) },
      });
    case 'CONTROL_FAILED':
      return new XmServerError('broker-control-refused', cause.message, {
        cause,
        params: { url, detail: detailOf(cause) },
      });
    case 'INVALID_OPTIONS':
    case 'INVALID_NAME':
      return new XmServerError('config-invalid', cause.message, {
        cause,
        params: { detail: cause.message },
      });
    default:
      return new XmServerError('broker-unreachable', cause.message, {
        cause,
        params: { url, detail: detailOf(cause) },
      });
  }
}

/**
 * The transport's detail without its generic English prefix (the message around it says that
 * already), plus the socket's own words (ECONNREFUSED, a TLS alert) when the detail lacks them.
 */
function detailOf(error: TransportError): string {
  const prefix = `${describeTransportError(error.code, 'en')}: `;
  const own = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const inner = error.cause instanceof Error ? error.cause.message : undefined;
  return inner && !own.includes(inner) ? `${own} (${inner})` : own;
}
