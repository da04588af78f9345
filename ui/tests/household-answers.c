/* household-answers.c: the answers the UI tests and the screenshot tool give the shipped household visit. */
#include "household-answers.h"

const char *
household_answer_for (const char *leaf,
                      guint       child)
{
  static const struct { const char *leaf; const char *first; const char *second; } answers[] = {
    { "head_name", "Yao Kouamé", NULL }, { "head_sex", "male", NULL }, { "consent", "yes", NULL },
    { "farmer_status", "owner", NULL },
    { "name", "Kouadio", "Ahou" }, { "sex", "male", "female" }, { "age", "13", "9" },
    { "relationship", "son_daughter", "son_daughter" }, { "present", "yes", "yes" },
    { "parents", "both", "both" }, { "decided", "parents", "parents" },
    { "origin", "this_community", "this_community" },
    { "assent", "yes", "yes" }, { "respondent", "child", "child_and_adult" },
    { "birth_certificate", "yes", "yes" },
    { "in_school", "no", "yes" }, { "ever_school", "yes", NULL }, { "left_why", "work_needed", NULL },
    { "grade", NULL, "primary_3" }, { "days_missed", NULL, "0" },
    { "worked_7d", "yes", "no" }, { "hours_7d", "20", NULL }, { "load_kg", "20", NULL },
    { "works_for", "parents", NULL }, { "work_why", "help_family", NULL },
    { "tasks_7d", "agrochemical_application heavy_loads", "none" },
    { "tasks_12m", "agrochemical_application heavy_loads", "none" },
    { "night_work", "no", NULL }, { "hazard_conditions", "chemicals", NULL },
    { "injured_12m", "no", NULL }, { "abuse", "none", NULL }, { "chores_hours_7d", "5", "3" },
    { "brought_for_work", "no", "no" }, { "not_free", "no", "no" }, { "works_off_debt", "no", "no" },
    { "sexual_exploitation", "no", "no" }, { "illicit_activities", "no", "no" },
    { "armed_recruitment", "no", "no" }, { "immediate_danger", "no", "no" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    if (g_str_equal (answers[i].leaf, leaf))
      return child <= 1 ? answers[i].first : answers[i].second;
  return NULL;
}
