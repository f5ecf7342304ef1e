import type { Scope } from '@quorum/core';

/**
 * The tenant columns of a row in `scope`. Every repository query on tenant-owned tables filters
 * with `.where((eb) => eb.and(tenant(scope)))` and every insert spreads it, so a query without
 * it stands out in review.
 */
export function tenant(scope: Scope) {
  return { organization_id: scope.organizationId, livemode: scope.livemode };
}
