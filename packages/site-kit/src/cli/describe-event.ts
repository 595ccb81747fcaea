import { describeReasonCode, describeTransportError, type TransportErrorCode } from '@xmcomm/mqtt-transport';
import { describeReason } from '@xmcomm/status-sync';
import type { SyncEvent } from '../sync-events.js';

const short = (container: string) => container.slice(-12);

/** One line per synchronisation event for a person, in English or French; null for what only scripts read. */
export function describeSyncEvent(event: SyncEvent, language: 'en' | 'fr'): string | null {
  const l = (en: string, fr: string) => (language === 'fr' ? fr : en);
  switch (event.event) {
    case 'link':
      return event.state === 'connected' ? l('connected to the broker', 'connecté au broker') : null;
    case 'link-error': {
      const code = event.code as TransportErrorCode;
      const reason =
        event.reasonCode !== undefined
          ? ` (${describeReasonCode(event.reasonCode, language)}, code ${event.reasonCode})`
          : '';
      return l(
        `link: ${describeTransportError(code, 'en')}${reason} [${event.code}]`,
        `liaison : ${describeTransportError(code, 'fr')}${reason} [${event.code}]`,
      );
    }
    case 'sealed':
      return l(
        `sealed ${event.refs.length} record(s) into container …${short(event.container)}: ${event.refs.join(' ')}`,
        `${event.refs.length} fiche(s) scellée(s) dans le conteneur …${short(event.container)} : ${event.refs.join(' ')}`,
      );
    case 'sent':
      return l(
        `sent container …${short(event.container)} (${event.kind}, ${event.rows} row(s), attempt ${event.attempt})`,
        `conteneur …${short(event.container)} envoyé (${event.kind}, ${event.rows} ligne(s), tentative ${event.attempt})`,
      );
    case 'exported':
      return l(
        `exported (server receipt): ${event.refs.join(' ')}`,
        `exporté(s) (accusé du serveur) : ${event.refs.join(' ')}`,
      );
    case 'rejected':
      return l(
        `REJECTED ${event.ref}${event.niu ? ` (${event.niu})` : ''}: ${describeReason(event.reason, 'en')} [${event.reason}]${event.detail ? ` (${event.detail})` : ''}`,
        `REJETÉ ${event.ref}${event.niu ? ` (${event.niu})` : ''} : ${describeReason(event.reason, 'fr')} [${event.reason}]${event.detail ? ` (${event.detail})` : ''}`,
      );
    case 'held':
      return l(
        `WAITING ${event.refs.join(' ')}: the server refused the site's account (${describeReason(event.reason, 'en')} [${event.reason}]); they go again by themselves`,
        `EN ATTENTE ${event.refs.join(' ')} : le serveur a refusé le compte du site (${describeReason(event.reason, 'fr')} [${event.reason}]) ; elles repartent d'elles-mêmes`,
      );
    case 'answered':
      return event.accepted
        ? l(
            `the server accepted ${event.kind} …${short(event.container)}`,
            `le serveur a accepté ${event.kind} …${short(event.container)}`,
          )
        : l(
            `the server refused ${event.kind} …${short(event.container)}: ${event.reason}`,
            `le serveur a refusé ${event.kind} …${short(event.container)} : ${event.reason}`,
          );
    case 'imported':
      return l(
        `imported ${event.stored} row(s) of ${event.table} (read-only)${event.more ? '; more match' : ''}`,
        `${event.stored} ligne(s) de ${event.table} importée(s) (lecture seule)${event.more ? ' ; il y en a d’autres' : ''}`,
      );
    case 'account':
    case 'profile':
      return l(
        `the server sent the ${event.event}`,
        `le serveur a envoyé le ${event.event === 'account' ? 'compte' : 'profil'}`,
      );
    case 'message':
      return l(
        `message ${event.id} from the central server received`,
        `message ${event.id} du serveur central reçu`,
      );
    case 'refused-incoming':
      return l(
        `ignored a container that did not come from the server (${event.reason})`,
        `conteneur ignoré, il ne vient pas du serveur (${event.reason})`,
      );
  }
}
