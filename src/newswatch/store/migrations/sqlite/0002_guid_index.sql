-- Feed items are found again by their guid (within their source) when their address changes.
CREATE INDEX articles_by_guid ON articles (guid, source) WHERE guid IS NOT NULL;
