create or replace view table_cells as
-- Every figure read from a table with where it stands, so a table can be rebuilt with a pivot.
select
    f.doc_id,
    d.source_name,
    f.table_index,
    f.table_row,
    f.table_column,
    f.row_label,
    f.column_header,
    f.metric,
    f.period_text,
    f.org,
    f.value,
    f.unit,
    f.kind,
    f.direction,
    f.figure_id
from figures f
join documents d using (doc_id)
where f.table_index is not null;
comment on view table_cells is 'Figures read from statistical tables, with their table, row, column, row label and column header: rebuild a table with pivot.';
comment on column table_cells.doc_id is 'The document (documents.doc_id).';
comment on column table_cells.source_name is 'The file the document came from.';
comment on column table_cells.table_index is 'The table''s number in its document (0-based).';
comment on column table_cells.table_row is 'The cell''s row in the table (0-based).';
comment on column table_cells.table_column is 'The cell''s value column (0-based, the row label not counted).';
comment on column table_cells.row_label is 'The row''s label as written.';
comment on column table_cells.column_header is 'The period header over the cell''s column, if the columns are periods.';
comment on column table_cells.metric is 'What the cell measures: its row label, else its column header.';
comment on column table_cells.period_text is 'The period the cell belongs to: its column header, row label, the table caption or the report''s.';
comment on column table_cells.org is 'The organization: the table caption''s institution, else the report''s issuer.';
comment on column table_cells.value is 'The cell''s value in the canonical unit.';
comment on column table_cells.unit is 'Canonical unit (from the header, label or 单位 line; 件 where none is named).';
comment on column table_cells.kind is 'count, rate, change, ...; a signed cell is a change.';
comment on column table_cells.direction is 'up or down for a signed change cell.';
comment on column table_cells.figure_id is 'The figure (figures.figure_id).';
