import type { StatsOptions, StatsRow } from '@xmcomm/site-kit';
import { type CentreContext, centreKit } from './acts.js';
import { viaKit } from './errors.js';
import type { SessionUser } from './users.js';

/**
 * Counts acts (cancelled ones left out) grouped by type, month of the event, sex of the person
 * concerned (child or deceased; none for marriages) and place (locality of the event): the kit's
 * statistics over ECR's record types.
 */
export function actStatistics(
  ctx: CentreContext,
  user: SessionUser,
  options: StatsOptions = {},
): Promise<StatsRow[]> {
  return viaKit(centreKit(ctx).statistics(user, options));
}
