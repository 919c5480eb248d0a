//! Queries: [`parse`] turns a string into a [`Query`]; [`Searcher`] runs
//! it over an [`Index`](crate::Index).

mod edit;
mod exec;
mod parse;
mod typo;

pub use crate::sorting::Ids;
pub use edit::{filter_token, toggle_filters};
pub use exec::{
    FacetCount, Facets, Hit, MatchKind, MonthCount, Related, SearchOptions,
    SearchResult, Searcher, Sort, YearCount, MAX_EXPANSIONS, MAX_PREFIX_SCAN,
};
pub use parse::{
    parse, parse_day, Clause, Filters, Query, MAX_QUERY_BYTES, MAX_WORDS,
};
