import type { SiteTransportState } from '@xmcomm/mqtt-transport';

/** What a site's synchronisation reports, one event at a time (refs are the kit's: `J12`). */
export type SyncEvent =
  | { readonly event: 'link'; readonly state: SiteTransportState }
  | {
      readonly event: 'link-error';
      readonly code: string;
      readonly message: string;
      /** The MQTT reason code the broker gave, when it gave one (a refused login: 4, 5, 134, 135, 138). */
      readonly reasonCode?: number;
    }
  | {
      readonly event: 'sealed';
      readonly container: string;
      readonly table: string;
      readonly refs: readonly string[];
    }
  | {
      readonly event: 'sent';
      readonly container: string;
      readonly kind: string;
      readonly rows: number;
      readonly attempt: number;
    }
  | { readonly event: 'exported'; readonly container: string; readonly refs: readonly string[] }
  | {
      readonly event: 'rejected';
      readonly container: string;
      readonly ref: string;
      readonly niu: string | null;
      readonly reason: string;
      readonly detail: string | null;
    }
  | {
      /** Refused for the site's account (credit, status, quota): the records wait, validated, and go again by themselves. */
      readonly event: 'held';
      readonly container: string;
      readonly refs: readonly string[];
      readonly reason: string;
      readonly detail: string | null;
    }
  | {
      /** The server's answer to an import request, a control message or rows of another table (accepted, or refused with a reason). */
      readonly event: 'answered';
      readonly container: string;
      readonly kind: string;
      readonly accepted: boolean;
      readonly reason: string | null;
    }
  | {
      readonly event: 'imported';
      readonly table: string;
      readonly stored: number;
      readonly refused: number;
      readonly rows: readonly { readonly ref: string | null; readonly niu: string | null }[];
      readonly more: boolean;
    }
  | { readonly event: 'account' | 'profile'; readonly message: Readonly<Record<string, unknown>> }
  | {
      /** A text message from the server's operators, kept in xm_site.messages. */
      readonly event: 'message';
      readonly id: number;
      readonly container: string;
      readonly text: string;
      readonly sentAt: string | null;
      /** Messages nobody at the site has read yet, this one included. */
      readonly unread: number;
    }
  | { readonly event: 'refused-incoming'; readonly reason: string };

/** The server's answer to an outbox item that carried no records of the site's types. */
export interface SyncAnswer {
  readonly containerId: string;
  /** The outbox item's kind: `control`, `import`, `account`, or `rows` of a table in `alsoExport`. */
  readonly kind: string;
  readonly accepted: boolean;
  readonly reason: string | null;
}
