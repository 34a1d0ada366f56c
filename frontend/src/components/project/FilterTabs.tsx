import { Link } from "react-router";
import { ITEM_FILTERS, type ItemFilter } from "../../api/types";

const TITLES: Record<ItemFilter | "all", string> = {
  all: "All",
  unlabeled: "Unlabeled",
  submitted: "Submitted",
  predicted: "Predicted",
};

export function FilterTabs({ current }: { current: ItemFilter | null }) {
  return (
    <nav className="tabs">
      {(["all", ...ITEM_FILTERS] as const).map((filter) => {
        const active = (current ?? "all") === filter;
        return (
          <Link
            key={filter}
            to={filter === "all" ? "?" : `?status=${filter}`}
            data-testid={`filter-${filter}`}
            className={active ? "tab active" : "tab"}
            aria-current={active ? "page" : undefined}
          >
            {TITLES[filter]}
          </Link>
        );
      })}
    </nav>
  );
}
