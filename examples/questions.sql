-- Questions for `fazhi sql -f examples/questions.sql` (several statements: the last one's rows are printed).
--
-- Which rates did each organization report, per year, how often, and do the reports agree with each other?
-- Change the threshold below to keep only the rates more than one document reports.
set variable min_documents = 1;

select org, org_type, year, metric_id, metric, value, values_agree, value_low, value_high, documents, sources
from rates_by_org_period
where documents >= getvariable('min_documents')
order by org, year, metric_id nulls last, metric;
