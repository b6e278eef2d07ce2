import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api';

/**
 * One cache for the tab. A refusal (4xx) is the server's answer, so it is shown, not retried; a
 * network or server failure is tried once more. No refetch on focus: Teams moves focus in and out
 * of the tab's frame all the time, and the pages refresh after their own actions.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 1,
        refetchOnWindowFocus: false,
      },
    },
  });
}
