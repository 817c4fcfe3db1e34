-- Related reading: for each linked article, the articles it found most related when it was linked (its
-- own rows, replaced when it is linked again). An article reads the rows on both sides, so an older
-- article learns of the newer ones that chose it. Derived from the records, like the tables of 0005.
CREATE TABLE related (
    article_seq  INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    other_seq    INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    score        REAL NOT NULL,
    PRIMARY KEY (article_seq, other_seq)
) WITHOUT ROWID;

CREATE INDEX related_by_other ON related (other_seq);
