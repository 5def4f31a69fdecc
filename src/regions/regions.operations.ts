import { defineOperations } from '../graphql/operation-spec';

export const REGION_OPERATIONS = defineOperations({
  listRegions: { eventSource: 'account.amazonaws.com', eventName: 'ListRegions', action: 'account:ListRegions' },
});
