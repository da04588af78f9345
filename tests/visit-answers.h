/* visit-answers.h: one household visit's answers, for the tests that finalise visits. */
#pragma once

/* A 12-year-old carrying heavy loads; %s adds members to "household"
 * (e.g. ",\"water_source\":\"borehole\""), "" for none. */
static const char household_answers_json[] =
  "{\"visit_date\":\"2026-06-30\",\n"
  " \"household\":{\"head_name\":\"Kouadio Yao\",\"head_sex\":\"male\",\"consent\":\"yes\",\n"
  "   \"farmer_status\":\"owner\"%s},\n"
  " \"children\":{\"child\":[{\"identity\":{\"name\":\"Kouadio Ama\",\"sex\":\"female\",\"age\":\"12\"},\n"
  "   \"relationship\":\"son_daughter\",\"parents\":\"both\",\"decided\":\"parents\",\"origin\":\"this_community\",\n"
  "   \"present\":\"yes\",\"assent\":\"yes\",\"respondent\":\"child\",\"birth_certificate\":\"yes\",\n"
  "   \"school\":{\"in_school\":\"yes\",\"grade\":\"primary_5\",\"days_missed\":\"0\"},\n"
  "   \"work\":{\"econ\":{\"worked_7d\":\"yes\",\"hours_7d\":\"10\",\"load_kg\":\"10\"},\"tasks_7d\":\"heavy_loads\",\n"
  "     \"tasks_12m\":\"heavy_loads\",\"night_work\":\"no\",\"hazard_conditions\":\"none\",\n"
  "     \"injury\":{\"injured_12m\":\"no\"},\"abuse\":\"none\",\"works_for\":\"parents\",\"work_why\":\"help_family\",\n"
  "     \"chores_hours_7d\":\"5\"},\n"
  "   \"wfcl\":{\"brought_for_work\":\"no\",\"not_free\":\"no\",\"works_off_debt\":\"no\",\n"
  "     \"sexual_exploitation\":\"no\",\"illicit_activities\":\"no\",\"armed_recruitment\":\"no\"},\n"
  "   \"danger\":{\"immediate_danger\":\"no\"}}]}}\n";
