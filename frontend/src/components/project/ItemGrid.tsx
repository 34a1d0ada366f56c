import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Link } from "react-router";
import { errorMessage } from "../../api/problems";
import { itemsQuery } from "../../api/queries";
import type { ItemFilter } from "../../api/types";

export function ItemGrid({ projectId, status }: { projectId: number; status: ItemFilter | null }) {
  const { data, error, fetchNextPage, hasNextPage, isFetchingNextPage, isPending } =
    useInfiniteQuery(itemsQuery(projectId, status));
  const sentinel = useRef<HTMLDivElement>(null);

  // Loads the next page when the end of the grid scrolls into view.
  useEffect(() => {
    const element = sentinel.current;
    if (element === null || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage)
        void fetchNextPage();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [fetchNextPage, hasNextPage, isFetchingNextPage]);

  if (isPending) return <p>Loading items…</p>;
  if (error) return <p className="error">Could not load items: {errorMessage(error)}</p>;
  const items = data.pages.flatMap((page) => page.items);

  return (
    <>
      {items.length === 0 && <p className="muted">No items here.</p>}
      <div className="item-grid">
        {items.map((item) => (
          <Link
            key={item.id}
            to={`/projects/${projectId}/items/${item.id}`}
            className={`item-card status-${item.status}`}
            data-testid="item-card"
            data-item-id={item.id}
            title={item.file_name}
          >
            <img src={item.thumb_url} alt={item.file_name} loading="lazy" />
            <span className="item-caption">
              {item.status}
              {item.predicted ? " · predicted" : ""}
              {item.uncertainty !== null ? ` · u ${item.uncertainty.toFixed(2)}` : ""}
            </span>
          </Link>
        ))}
      </div>
      <div ref={sentinel} />
      {hasNextPage && (
        <button type="button" onClick={() => fetchNextPage()} disabled={isFetchingNextPage}>
          {isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      )}
    </>
  );
}
