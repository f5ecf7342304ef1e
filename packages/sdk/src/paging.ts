/** One page of a list and the cursor of the next, or undefined after the last. */
export interface Page<T, C> {
  items: readonly T[];
  next: C | undefined;
}

/**
 * Every item of a paged list, fetching the next page only once the caller has taken the items
 * of the one before (so memory holds one page, and stopping early fetches nothing more).
 */
export async function* itemsOfPages<T, C>(
  fetchPage: (cursor: C | undefined) => Promise<Page<T, C>>,
): AsyncGenerator<T> {
  let cursor: C | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    // A page without items ends the list even if it claims more, rather than asking forever.
    cursor = page.items.length > 0 ? page.next : undefined;
  } while (cursor !== undefined);
}
