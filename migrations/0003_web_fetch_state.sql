-- Per-page fetch state of web sources, for incremental crawls: the validators for
-- conditional GET (ETag, Last-Modified), the sitemap's lastmod at the last fetch, how many
-- full crawls in a row missed the page (it is deleted after forget_after_missed_crawls), and
-- the page's links, so a page answered with 304 or skipped by its sitemap lastmod still leads
-- the crawler to the pages below it.
CREATE TABLE web_fetch_state (
  source_id        integer NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  url              text NOT NULL,             -- canonical URL, = documents.path
  etag             text NOT NULL DEFAULT '',
  last_modified    text NOT NULL DEFAULT '',  -- the Last-Modified header as sent
  sitemap_lastmod  bigint NOT NULL DEFAULT 0, -- unix seconds; 0 = not in a sitemap
  missed_crawls    integer NOT NULL DEFAULT 0,
  links            text NOT NULL DEFAULT '',  -- canonical URLs, one a line
  fetched_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source_id, url)
);
