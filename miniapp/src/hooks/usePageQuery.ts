import { useRouter } from '@tarojs/taro';
import type { PageName, PageQuery } from '@ssp/shared';

/**
 * The current page's query, typed by the page's entry in shared/src/pages.ts (the same
 * entry pageUrl builds links from). Every parameter may be missing: a link from outside
 * (a shared card, a subscribe message) carries whatever it carries.
 */
export function usePageQuery<P extends PageName>(_page: P): Partial<PageQuery<P>> {
  return useRouter().params as Partial<PageQuery<P>>;
}
