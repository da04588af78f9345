/* rules.c: the shared codes and support types, and the classification of a child's profile. */
#define G_LOG_DOMAIN "clmrs-rules"

#include "rules-private.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (clmrs-rules-error-quark, clmrs_rules_error)

/* ---------------------------------------------------------------------------
 * Shared codes (docs/rules-format.md, `codes`).  A rule set lists them all, in these lists,
 * and may add its own; it can never drop, move or rename one.
 * ------------------------------------------------------------------------- */

const char * const _clmrs_rules_list_names[N_LISTS] = {
  "tasks_hazardous", "tasks_light", "hazard_conditions", "abuse", "wfcl_signals",
};

const char * const _clmrs_rules_list_nouns[N_LISTS] = {
  "hazardous task", "light task", "hazard condition", "abuse code", "worst-form signal",
};

static const char * const shared_tasks_hazardous[] = {
  "land_clearing", "tree_felling", "bush_burning", "agrochemical_application",
  "present_during_spraying", "machete_weeding", "pod_breaking_machete",
  "climbing_trees", "heavy_loads", "long_distance_carrying", "working_alone", NULL
};
const char * const _clmrs_rules_shared_tasks_light[] = {
  "planting", "picking_pods_within_reach", "gathering_pods", "fermenting_beans",
  "drying_beans", "filling_nursery_bags", "fetching_water", NULL
};
static const char * const shared_hazard_conditions[] = {
  "dust_fumes", "fire_gas_flames", "noise_vibration", "extreme_temperature",
  "dangerous_tools", "underground", "heights", "water", "dark_confined",
  "poor_ventilation", "chemicals", "explosives", "other_unsafe", NULL
};
static const char * const shared_abuse[] = {
  "shouted_at", "insulted", "beaten", "sexual_abuse", "other_abuse", NULL
};
static const char * const shared_wfcl_signals[] = {
  "trafficking", "forced_labour", "debt_bondage", "sexual_exploitation",
  "illicit_activities", "armed_recruitment", NULL
};

const char * const * const _clmrs_rules_shared_lists[N_LISTS] = {
  shared_tasks_hazardous, _clmrs_rules_shared_tasks_light, shared_hazard_conditions,
  shared_abuse, shared_wfcl_signals,
};

int
_clmrs_rules_shared_list_of (const char *code)
{
  for (int l = 0; l < N_LISTS; l++)
    if (g_strv_contains ((const char * const *) _clmrs_rules_shared_lists[l], code))
      return l;
  return -1;
}

/* Support types (docs/rules-format.md, `supports`) and their levels. */
static const struct {
  const char *code;
  const char *level;
} support_table[] = {
  { "awareness_targeted",  "child" },
  { "school_kit",          "child" },
  { "bicycle",             "child" },
  { "birth_certificate",   "child" },
  { "school_fees",         "child" },
  { "bridging_class",      "child" },
  { "vocational_training", "child" },
  { "health_insurance",    "child" },
  { "psychosocial",        "child" },
  { "medical",             "child" },
  { "school_meals",        "child" },
  { "tools_safe",          "household" },
  { "labour_support",      "household" },
  { "iga",                 "household" },
  { "vsla",                "household" },
  { "cash_transfer",       "household" },
  { "awareness_community", "community" },
  { "infrastructure",      "community" },
  { "referral",            "referral" },
  { "family_reunification", "referral" },
};

static const char * const support_codes[] = {
  "awareness_targeted", "school_kit", "bicycle", "birth_certificate", "school_fees",
  "bridging_class", "vocational_training", "health_insurance", "psychosocial", "medical",
  "school_meals", "tools_safe", "labour_support", "iga", "vsla", "cash_transfer",
  "awareness_community", "infrastructure", "referral", "family_reunification", NULL
};

/* Reason codes, in the order classification produces them. */
const char * const _clmrs_rules_reason_codes[] = {
  "age_out_of_scope",
  "wfcl_signal",
  "immediate_danger",
  "hazardous_task",
  "hazard_condition",
  "night_work",
  "abuse",
  "long_hours",
  "below_light_work_age",
  "light_work_hours",
  "light_work_task_not_permitted",
  "chores_hours",
  "hazardous_task_12m",
  "work_injury_12m",
  "hazardous_task_since_last_visit",
  "out_of_school",
  "no_birth_certificate",
  "permitted_work",
  "not_working",
  NULL
};

static const char * const status_names[] = {
  "out_of_scope", "worst_form", "hazardous_child_labour", "child_labour",
  "at_risk", "not_in_child_labour",
};

/* ---------------------------------------------------------------------------
 * Classification
 * ------------------------------------------------------------------------- */

/* Returns: the status' code ("child_labour"), static. */
const char *
clmrs_status_to_string (ClmrsStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (status_names), NULL);
  return status_names[status];
}

/**
 * clmrs_status_from_string:
 * Returns: TRUE and sets @out when @text is a status name.
 */
gboolean
clmrs_status_from_string (const char  *text,
                          ClmrsStatus *out)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_str_equal (status_names[i], text))
      {
        if (out != NULL)
          *out = (ClmrsStatus) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * clmrs_status_is_child_labour:
 * Returns: TRUE for worst_form, hazardous_child_labour and child_labour.
 */
gboolean
clmrs_status_is_child_labour (ClmrsStatus status)
{
  return status == CLMRS_STATUS_WORST_FORM
         || status == CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR
         || status == CLMRS_STATUS_CHILD_LABOUR;
}

/* Returns: "7d", "12m", or %NULL for CLMRS_RECALL_NONE; static. */
const char *
clmrs_recall_to_string (ClmrsRecall recall)
{
  switch (recall)
    {
    case CLMRS_RECALL_7D:
      return "7d";
    case CLMRS_RECALL_12M:
      return "12m";
    case CLMRS_RECALL_NONE:
    default:
      return NULL;
    }
}

/**
 * clmrs_reason_codes:
 * Returns: (transfer none): every reason code, %NULL-terminated.
 */
const char * const *
clmrs_reason_codes (void)
{
  return _clmrs_rules_reason_codes;
}

static void
reason_free (ClmrsReason *reason)
{
  g_free (reason->code);
  g_free (reason->detail);
  g_free (reason->item);
  g_free (reason);
}

/* Frees @classification and its reasons; %NULL is ignored. */
void
clmrs_classification_free (ClmrsClassification *classification)
{
  if (classification == NULL)
    return;
  g_clear_pointer (&classification->reasons, g_ptr_array_unref);
  g_free (classification->rules);
  g_free (classification);
}

/* A reason found while classifying, with the tier it belongs to. */
typedef struct {
  ClmrsStatus  tier;
  ClmrsRecall  recall;            /* NONE when the answer has no recall period */
  ClmrsReason *reason;
} Found;

typedef struct {
  const ClmrsRuleSet *rules;
  const ClmrsProfile *profile;
  GArray             *found;      /* of Found */
  GPtrArray          *permitted;  /* hazardous tasks of the last 7 days permitted at this age */
} Classifier;

/* The note of the provisional entry @code of @list, or NULL. */
static const char *
provisional_note (const ClmrsRuleSet *rules,
                  const char         *list,
                  const char         *code)
{
  g_autofree char *key = NULL;

  if (code == NULL)
    return NULL;
  key = g_strconcat (list, "/", code, NULL);
  return g_hash_table_lookup (rules->provisional, key);
}

/* "...; provisional: NOTE (gh)": a detail says when it rests on a provisional entry. */
static char *
finish_detail (const ClmrsRuleSet *rules,
               const char         *text,
               const char         *provisional)
{
  if (provisional != NULL)
    return g_strdup_printf ("%s; provisional: %s (%s)", text, provisional, rules->id);
  return g_strdup_printf ("%s (%s)", text, rules->id);
}

static void add (Classifier  *cl,
                 ClmrsStatus  tier,
                 ClmrsRecall  recall,
                 const char  *code,
                 const char  *item,
                 const char  *provisional,
                 const char  *format,
                 ...) G_GNUC_PRINTF (7, 8);

/* @provisional: the note of the provisional entry the reason rests on, or NULL. */
static void
add (Classifier  *cl,
     ClmrsStatus  tier,
     ClmrsRecall  recall,
     const char  *code,
     const char  *item,
     const char  *provisional,
     const char  *format,
     ...)
{
  va_list args;
  g_autofree char *text = NULL;
  Found found = { tier, recall, g_new0 (ClmrsReason, 1) };

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  found.reason->code = g_strdup (code);
  found.reason->item = g_strdup (item);
  found.reason->provisional = provisional != NULL;
  found.reason->detail = finish_detail (cl->rules, text, provisional);
  g_array_append_val (cl->found, found);
}

static gboolean
over (const Threshold *t,
      double           hours)
{
  return t->strict ? hours > t->hours : hours >= t->hours;
}

/* "43 h or more" / "more than 14 h", locale-independent. */
static char *
describe_threshold (const Threshold *t)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (number, sizeof number, "%g", t->hours);
  return t->strict ? g_strdup_printf ("more than %s h", number)
                   : g_strdup_printf ("%s h or more", number);
}

static char *
format_hours (double hours)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (number, sizeof number, "%g", hours);
  return g_strdup (number);
}

static char *
describe_ages (int from,
               int to)
{
  return from == to ? g_strdup_printf ("%d", from) : g_strdup_printf ("%d-%d", from, to);
}

/* "land_clearing" -> "land clearing" */
static char *
readable (const char *code)
{
  char *text = g_strdup (code);

  g_strdelimit (text, "_", ' ');
  return text;
}

static void
classify_tasks (Classifier *cl)
{
  const ClmrsRuleSet *r = cl->rules;
  const ClmrsProfile *p = cl->profile;
  int age = p->age;
  gboolean hazardous_age = age < r->min_age_hazardous;
  gboolean light_band = age >= r->min_age_light_work && age < r->min_age_employment;
  g_autofree char *band = describe_ages (r->min_age_light_work, r->min_age_employment - 1);

  for (int period = 0; period < 2; period++)
    {
      GStrv tasks = period == 0 ? p->tasks_7d : p->tasks_12m;
      ClmrsRecall recall = period == 0 ? CLMRS_RECALL_7D : CLMRS_RECALL_12M;
      const char *when = period == 0 ? "in the last 7 days" : "in the last 12 months";
      gboolean identifies = period == 0 || r->recall == CLMRS_RECALL_12M;

      for (guint i = 0; tasks[i] != NULL; i++)
        {
          const char *task = tasks[i];
          g_autofree char *name = readable (task);

          gpointer from_ptr = g_hash_table_lookup (r->permitted_from, task);
          int from = from_ptr != NULL ? GPOINTER_TO_INT (from_ptr) : r->min_age_hazardous;

          /* A task seen in the last 7 days is also in the last 12 months. */
          if (period == 1 && g_strv_contains ((const char * const *) p->tasks_7d, task))
            continue;

          if (_clmrs_rules_is_list (r, task, LIST_TASKS_HAZARDOUS) && hazardous_age && age < from)
            {
              const char *note = provisional_note (r, "tasks_hazardous", task);

              if (identifies)
                add (cl, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR, recall, "hazardous_task", task, note,
                     "%s %s at age %d: a hazardous task, prohibited under %d",
                     name, when, age, from);
              else
                add (cl, CLMRS_STATUS_AT_RISK, recall, "hazardous_task_12m", task, note,
                     "%s in the last 12 months but not in the last 7 days at age %d: "
                     "a hazardous task, a risk of hazardous child labour",
                     name, age);
            }
          else if (_clmrs_rules_is_list (r, task, LIST_TASKS_HAZARDOUS) && hazardous_age)
            {
              /* permitted from this age: ordinary work, said in the permitted_work reason */
              if (period == 0)
                g_ptr_array_add (cl->permitted, (gpointer) task);
            }
          else if (identifies && light_band && r->light_work_list_only
                   && _clmrs_rules_is_list (r, task, LIST_TASKS_LIGHT)
                   && !g_hash_table_contains (r->permitted, task))
            add (cl, CLMRS_STATUS_CHILD_LABOUR, recall, "light_work_task_not_permitted", task,
                 provisional_note (r, "light_work_permitted", task),
                 "%s %s at age %d: not on the permitted light-work list for ages %s",
                 name, when, age, band);
        }
    }
}

/* A follow-up's recall since the previous visit: a hazardous task in it
 * that the last 7 days do not already show is a risk reason of its own,
 * which the case rules read (the child was not out of child labour over
 * the period: docs/cases-and-indicators.md). */
static void
classify_since_last_visit (Classifier *cl)
{
  const ClmrsRuleSet *r = cl->rules;
  const ClmrsProfile *p = cl->profile;

  if (p->tasks_since_last == NULL || p->age >= r->min_age_hazardous)
    return;
  for (guint i = 0; p->tasks_since_last[i] != NULL; i++)
    {
      const char *task = p->tasks_since_last[i];
      gpointer from_ptr = g_hash_table_lookup (r->permitted_from, task);
      int from = from_ptr != NULL ? GPOINTER_TO_INT (from_ptr) : r->min_age_hazardous;
      g_autofree char *name = NULL;

      /* a task permitted from an age (codes.tasks_permitted_from) is not
       * hazardous from that age on, as in the 7-day and 12-month recalls */
      if (!_clmrs_rules_is_list (r, task, LIST_TASKS_HAZARDOUS) || p->age >= from ||
          g_strv_contains ((const char * const *) p->tasks_7d, task))
        continue;
      name = readable (task);
      add (cl, CLMRS_STATUS_AT_RISK, CLMRS_RECALL_NONE, "hazardous_task_since_last_visit", task,
           provisional_note (r, "tasks_hazardous", task),
           "%s since the last visit at age %d: a hazardous task, so not out of child labour "
           "over the period", name, p->age);
    }
}

/**
 * clmrs_classify:
 * @rules: a rule set
 * @profile: a profile read by clmrs_profile_from_json_full()
 *
 * Applies the decision order of docs/rules-format.md.  Every condition that
 * matched is a reason, most serious first; the status is the tier of the
 * first.  Returns: (transfer full): the classification, never %NULL.
 */
ClmrsClassification *
clmrs_classify (const ClmrsRuleSet *rules,
                const ClmrsProfile *profile)
{
  g_autoptr(ClmrsClassification) result = NULL;
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (Found));
  g_autoptr(GPtrArray) permitted = g_ptr_array_new ();
  Classifier cl = { rules, profile, found, permitted };
  const ClmrsRuleSet *r = rules;
  const ClmrsProfile *p = profile;
  int age;
  g_autofree char *econ = NULL;
  ClmrsStatus status = CLMRS_STATUS_NOT_IN_CHILD_LABOUR;
  ClmrsRecall recall = CLMRS_RECALL_NONE;

  g_return_val_if_fail (rules != NULL, NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  age = p->age;
  result = g_new0 (ClmrsClassification, 1);
  result->reasons = g_ptr_array_new_with_free_func ((GDestroyNotify) reason_free);
  result->rules = g_strdup_printf ("%s@%s", r->id, r->version);

  /* Row 0: scope. */
  if (!p->in_scope)
    {
      ClmrsReason *reason = g_new0 (ClmrsReason, 1);

      reason->code = g_strdup ("age_out_of_scope");
      reason->detail = g_strdup_printf ("age %d: outside the %d-%d scope of child labour (%s)",
                                        age, SCOPE_MIN_AGE, SCOPE_MAX_AGE, r->id);
      g_ptr_array_add (result->reasons, reason);
      result->status = CLMRS_STATUS_OUT_OF_SCOPE;
      result->recall = CLMRS_RECALL_NONE;
      return g_steal_pointer (&result);
    }

  econ = format_hours (p->econ_hours_7d);

  /* Row 1: worst forms other than hazardous work (C182 Art. 3 a-c). */
  for (guint i = 0; p->wfcl_signals[i] != NULL; i++)
    {
      g_autofree char *name = readable (p->wfcl_signals[i]);
      add (&cl, CLMRS_STATUS_WORST_FORM, CLMRS_RECALL_NONE, "wfcl_signal", p->wfcl_signals[i],
           provisional_note (r, "wfcl_signals", p->wfcl_signals[i]),
           "worst-form signal: %s: a worst form of child labour (ILO C182 Art. 3); "
           "refer to child protection at once", name);
    }

  /* Row 2: hazardous child labour. */
  if (p->immediate_danger)
    add (&cl, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR, CLMRS_RECALL_NONE, "immediate_danger", NULL, NULL,
         "the facilitator found the child in immediate danger: counted as hazardous child "
         "labour and referred at once");
  classify_tasks (&cl);
  classify_since_last_visit (&cl);
  if (age < r->min_age_hazardous)
    {
      for (guint i = 0; p->hazard_conditions[i] != NULL; i++)
        {
          g_autofree char *name = readable (p->hazard_conditions[i]);
          add (&cl, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR, CLMRS_RECALL_NONE, "hazard_condition",
               p->hazard_conditions[i],
               provisional_note (r, "hazard_conditions", p->hazard_conditions[i]),
               "exposed to %s at work at age %d: a hazardous condition, prohibited under %d",
               name, age, r->min_age_hazardous);
        }
      if (p->night_work_7d && r->night_work_hazardous)
        {
          g_autofree char *window = r->night_start != NULL
            ? g_strdup_printf (" (%s-%s)", r->night_start, r->night_end) : g_strdup ("");
          add (&cl, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR, CLMRS_RECALL_7D, "night_work", NULL, NULL,
               "night work%s in the last 7 days at age %d: prohibited under %d",
               window, age, r->min_age_hazardous);
        }
      /* Abuse is asked over a period the profile states (docs/rules-format.md):
       * the last 12 months at identification, since the last visit at a
       * follow-up, so an old incident is not reported again and again. */
      gboolean since_last = g_strcmp0 (p->abuse_recall, "since_last_visit") == 0;
      for (guint i = 0; p->abuse[i] != NULL; i++)
        {
          g_autofree char *name = readable (p->abuse[i]);
          add (&cl, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR,
               since_last ? CLMRS_RECALL_NONE : CLMRS_RECALL_12M, "abuse", p->abuse[i],
               provisional_note (r, "abuse", p->abuse[i]),
               "abuse at work (%s) %s at age %d: work that exposes a child to abuse is hazardous",
               name, since_last ? "since the last visit" : "in the last 12 months", age);
        }
      if (age >= r->long_hours.min_age && over (&r->long_hours, p->econ_hours_7d))
        {
          g_autofree char *limit = describe_threshold (&r->long_hours);
          g_autofree char *band = describe_ages (r->long_hours.min_age, SCOPE_MAX_AGE);
          add (&cl, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR, CLMRS_RECALL_7D, "long_hours", NULL, NULL,
               "%s h of economic work in the last 7 days at age %d: %s a week at %s is "
               "hazardous (long hours)", econ, age, limit, band);
        }
    }

  /* Row 3: work below the light-work age. */
  if (age < r->min_age_light_work && over (&r->below_light_work_age, p->econ_hours_7d))
    {
      g_autofree char *limit = describe_threshold (&r->below_light_work_age);
      add (&cl, CLMRS_STATUS_CHILD_LABOUR, CLMRS_RECALL_7D, "below_light_work_age", NULL, NULL,
           "%s h of economic work in the last 7 days at age %d: any work of %s under %d "
           "is child labour", econ, age, limit, r->min_age_light_work);
    }

  /* Row 4: the light-work band, over the hour cap (tasks off the permitted
   * list were found with the tasks above). */
  if (age >= r->min_age_light_work && age < r->min_age_employment
      && over (&r->light_work_hours, p->econ_hours_7d))
    {
      g_autofree char *limit = describe_threshold (&r->light_work_hours);
      g_autofree char *band = describe_ages (r->min_age_light_work, r->min_age_employment - 1);
      add (&cl, CLMRS_STATUS_CHILD_LABOUR, CLMRS_RECALL_7D, "light_work_hours", NULL, NULL,
           "%s h of economic work in the last 7 days at age %d: %s a week at %s is more "
           "than light work", econ, age, limit, band);
    }

  /* Row 5: household chores (general production boundary). */
  if (r->chores.enabled && age >= r->chores.min_age && age <= r->chores.max_age
      && over (&r->chores, p->chores_hours_7d))
    {
      g_autofree char *limit = describe_threshold (&r->chores);
      g_autofree char *band = describe_ages (r->chores.min_age, r->chores.max_age);
      g_autofree char *chores = format_hours (p->chores_hours_7d);
      add (&cl, CLMRS_STATUS_CHILD_LABOUR, CLMRS_RECALL_7D, "chores_hours", NULL, NULL,
           "%s h of household chores in the last 7 days at age %d: %s a week at %s is "
           "child labour (hazardous unpaid household services)", chores, age, limit, band);
    }

  /* Row 8: risk factors (hazardous tasks only in the 12-month recall were
   * found with the tasks above).  An injury or illness from work in the
   * last 12 months is evidence the work was hazardous, but of a year and
   * of no task: a risk, as a hazardous task seen only in 12 months. */
  if (age < r->min_age_hazardous && p->work_injury_12m != NULL
      && !g_str_equal (p->work_injury_12m, "none"))
    add (&cl, CLMRS_STATUS_AT_RISK, CLMRS_RECALL_12M, "work_injury_12m", NULL, NULL,
         "hurt or sick because of work in the last 12 months (%s) at age %d: "
         "a sign of hazardous work, a risk of hazardous child labour",
         g_str_equal (p->work_injury_12m, "not_serious") ? "did not stop work or school"
         : g_str_equal (p->work_injury_12m, "stopped_short") ? "stopped work or school for a short time"
         : "stopped work or school completely", age);
  if (r->out_of_school_risk.enabled && !p->in_school
      && age >= r->out_of_school_risk.min_age && age <= r->out_of_school_risk.max_age)
    add (&cl, CLMRS_STATUS_AT_RISK, CLMRS_RECALL_NONE, "out_of_school", NULL, NULL,
         "not in school at age %d: a risk factor", age);
  if (r->no_birth_certificate_risk && p->birth_certificate != NULL
      && g_str_equal (p->birth_certificate, "no"))
    add (&cl, CLMRS_STATUS_AT_RISK, CLMRS_RECALL_NONE, "no_birth_certificate", NULL, NULL,
         "no birth certificate: a risk factor (needed for school enrolment and exams)");

  /* The status is the most serious tier found; reasons are sorted by tier,
   * stable within it. */
  for (guint i = 0; i < found->len; i++)
    status = MIN (status, g_array_index (found, Found, i).tier);
  /* The result is provisional when every reason of its tier is. */
  result->provisional = status != CLMRS_STATUS_NOT_IN_CHILD_LABOUR;
  for (ClmrsStatus tier = CLMRS_STATUS_WORST_FORM; tier <= CLMRS_STATUS_AT_RISK; tier++)
    for (guint i = 0; i < found->len; i++)
      {
        Found *f = &g_array_index (found, Found, i);
        if (f->tier != tier)
          continue;
        if (tier == status)
          result->provisional &= f->reason->provisional;
        g_ptr_array_add (result->reasons, f->reason);
        f->reason = NULL;
        if (tier == status && f->recall != CLMRS_RECALL_NONE
            && (recall == CLMRS_RECALL_NONE || f->recall < recall))
          recall = f->recall;
      }

  /* Rows 6-7: nothing matched. */
  if (status == CLMRS_STATUS_NOT_IN_CHILD_LABOUR)
    {
      gboolean working = p->econ_hours_7d > 0 || p->tasks_7d[0] != NULL;
      ClmrsReason *reason = g_new0 (ClmrsReason, 1);
      g_autoptr(GString) text = g_string_new (NULL);
      const char *note = NULL;

      if (working)
        g_string_printf (text, "%s h of economic work in the last 7 days at age %d, within the "
                         "limits for the age", econ, age);
      else
        g_string_printf (text, "no economic work in the last 7 days and no other condition");
      /* A hazardous task permitted from the child's age is said, since the
       * result rests on that permission. */
      for (guint i = 0; i < permitted->len; i++)
        {
          const char *task = g_ptr_array_index (permitted, i);
          g_autofree char *name = readable (task);

          g_string_append_printf (text, "; %s is permitted from %d", name,
                                  GPOINTER_TO_INT (g_hash_table_lookup (r->permitted_from, task)));
          if (provisional_note (r, "tasks_permitted_from", task) != NULL)
            note = provisional_note (r, "tasks_permitted_from", task);
        }
      reason->code = g_strdup (working ? "permitted_work" : "not_working");
      reason->provisional = note != NULL;
      reason->detail = finish_detail (r, text->str, note);
      result->provisional = reason->provisional;
      g_ptr_array_add (result->reasons, reason);
    }

  result->status = status;
  result->recall = recall != CLMRS_RECALL_NONE ? recall : r->recall;
  return g_steal_pointer (&result);
}

/**
 * clmrs_classification_has_reason:
 * @item: (nullable): also require this item; %NULL: any
 *
 * Returns: whether @classification carries a reason @code (about @item).
 */
gboolean
clmrs_classification_has_reason (const ClmrsClassification *classification,
                                 const char                *code,
                                 const char                *item)
{
  g_return_val_if_fail (classification != NULL && code != NULL, FALSE);

  for (guint i = 0; i < classification->reasons->len; i++)
    {
      ClmrsReason *reason = g_ptr_array_index (classification->reasons, i);
      if (g_str_equal (reason->code, code)
          && (item == NULL || g_strcmp0 (reason->item, item) == 0))
        return TRUE;
    }
  return FALSE;
}

/**
 * clmrs_classification_to_json:
 *
 * Returns: (transfer full): `{"status", "reasons": [{"code", "detail"[, "item"][, "provisional"]}],
 * "rules", "recall"[, "provisional"]}`; recall is "7d", "12m" or null (out of scope);
 * "provisional" (true) only when the status rests on provisional entries alone.
 */
JsonNode *
clmrs_classification_to_json (const ClmrsClassification *classification)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *recall;

  g_return_val_if_fail (classification != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, clmrs_status_to_string (classification->status));
  json_builder_set_member_name (builder, "reasons");
  json_builder_begin_array (builder);
  for (guint i = 0; i < classification->reasons->len; i++)
    {
      ClmrsReason *reason = g_ptr_array_index (classification->reasons, i);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, reason->code);
      json_builder_set_member_name (builder, "detail");
      json_builder_add_string_value (builder, reason->detail);
      if (reason->item != NULL)
        {
          json_builder_set_member_name (builder, "item");
          json_builder_add_string_value (builder, reason->item);
        }
      if (reason->provisional)
        {
          json_builder_set_member_name (builder, "provisional");
          json_builder_add_boolean_value (builder, TRUE);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "rules");
  json_builder_add_string_value (builder, classification->rules);
  json_builder_set_member_name (builder, "recall");
  recall = clmrs_recall_to_string (classification->recall);
  if (recall != NULL)
    json_builder_add_string_value (builder, recall);
  else
    json_builder_add_null_value (builder);
  if (classification->provisional)
    {
      json_builder_set_member_name (builder, "provisional");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---------------------------------------------------------------------------
 * Support
 * ------------------------------------------------------------------------- */

/**
 * clmrs_support_type_level:
 * Returns: "child", "household", "community" or "referral" for a support
 * type code, %NULL for an unknown one.
 */
const char *
clmrs_support_type_level (const char *code)
{
  if (code == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (support_table); i++)
    if (g_str_equal (support_table[i].code, code))
      return support_table[i].level;
  return NULL;
}

/**
 * clmrs_support_types:
 * Returns: (transfer none): every support type code, %NULL-terminated.
 */
const char * const *
clmrs_support_types (void)
{
  return support_codes;
}

static gboolean
support_rule_matches (const SupportRule         *rule,
                      const ClmrsProfile        *profile,
                      const ClmrsClassification *classification)
{
  gboolean any = FALSE;

  if (rule->status != NULL
      && !g_strv_contains ((const char * const *) rule->status,
                           clmrs_status_to_string (classification->status)))
    return FALSE;
  if (rule->min_age >= 0 && profile->age < rule->min_age)
    return FALSE;
  if (rule->max_age >= 0 && profile->age > rule->max_age)
    return FALSE;
  if (rule->in_school >= 0 && profile->in_school != rule->in_school)
    return FALSE;
  if (rule->reason == NULL && rule->item == NULL)
    return TRUE;
  for (guint i = 0; i < classification->reasons->len && !any; i++)
    {
      ClmrsReason *reason = g_ptr_array_index (classification->reasons, i);
      any = (rule->reason == NULL
             || g_strv_contains ((const char * const *) rule->reason, reason->code))
            && (rule->item == NULL
                || (reason->item != NULL
                    && g_strv_contains ((const char * const *) rule->item, reason->item)));
    }
  return any;
}

/**
 * clmrs_suggest_supports:
 *
 * Returns: (transfer full): the support types the rule set's mapping suggests
 * for this child, in mapping order, each once; never %NULL (empty when out of
 * scope).  "referral" is always first for a worst form or immediate danger,
 * whatever the mapping says.
 */
GStrv
clmrs_suggest_supports (const ClmrsRuleSet        *rules,
                        const ClmrsProfile        *profile,
                        const ClmrsClassification *classification)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (rules != NULL && profile != NULL && classification != NULL, NULL);

  if (classification->status == CLMRS_STATUS_OUT_OF_SCOPE)
    return g_strv_builder_end (builder);
  if (classification->status == CLMRS_STATUS_WORST_FORM
      || clmrs_classification_has_reason (classification, "immediate_danger", NULL))
    {
      g_hash_table_add (seen, (gpointer) "referral");
      g_strv_builder_add (builder, "referral");
    }
  for (guint i = 0; i < rules->supports->len; i++)
    {
      SupportRule *rule = g_ptr_array_index (rules->supports, i);

      if (!support_rule_matches (rule, profile, classification))
        continue;
      for (guint s = 0; rule->suggest[s] != NULL; s++)
        if (!g_hash_table_contains (seen, rule->suggest[s]))
          {
            g_hash_table_add (seen, rule->suggest[s]);
            g_strv_builder_add (builder, rule->suggest[s]);
          }
    }
  return g_strv_builder_end (builder);
}
