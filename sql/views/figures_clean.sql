-- Figures that passed every expectation of the figures suite: the table figures less those in figure_issues.
create or replace view figures_clean as
select f.*
from figures f
where not exists (
    select 1 from figure_issues i where i.doc_id = f.doc_id and i.figure_id = f.figure_id
);
comment on view figures_clean is 'The figures with no row in figure_issues: what analysts should query when they want only figures that passed data quality. Flagged figures stay in figures.';
