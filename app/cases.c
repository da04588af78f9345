/* cases.c: a child's case (follow-up, exit, relapse) as a pure function of their visits and supports. */
#define G_LOG_DOMAIN "clmrs-cases"

#include "cases.h"
#include "cases-private.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (clmrs-case-error-quark, clmrs_case_error)

static const struct {
  const char *code;
  const char *label;
} status_names[CLMRS_CASE_N_STATUSES] = {
  [CLMRS_CASE_NONE]              = { "none",              "Not identified" },
  [CLMRS_CASE_IDENTIFIED]        = { "identified",        "Identified, awaiting support" },
  [CLMRS_CASE_SUPPORTED]         = { "supported",         "Supported" },
  [CLMRS_CASE_FOLLOW_UP_DUE]     = { "follow_up_due",     "Follow-up due" },
  [CLMRS_CASE_FOLLOW_UP_OVERDUE] = { "follow_up_overdue", "Follow-up overdue" },
  [CLMRS_CASE_EXITED]            = { "exited",            "Exited child labour" },
  [CLMRS_CASE_RELAPSED]          = { "relapsed",          "Relapsed after exit" },
  [CLMRS_CASE_AGED_OUT]          = { "aged_out",          "Aged out (18)" },
  [CLMRS_CASE_MOVED_LOST]        = { "moved_lost",        "Moved or lost" },
  [CLMRS_CASE_REFERRED]          = { "referred",          "Referred" },
};

/* The snake_case code of @status ("follow_up_due"); "none" for an unknown value. */
const char *
clmrs_case_status_to_string (ClmrsCaseStatus status)
{
  if ((guint) status >= CLMRS_CASE_N_STATUSES)
    return status_names[CLMRS_CASE_NONE].code;
  return status_names[status].code;
}

/* A short label a facilitator can read ("Follow-up due"). */
const char *
clmrs_case_status_to_label (ClmrsCaseStatus status)
{
  if ((guint) status >= CLMRS_CASE_N_STATUSES)
    return status_names[CLMRS_CASE_NONE].label;
  return status_names[status].label;
}

/* TRUE and sets @out when @text is one of the codes of
 * clmrs_case_status_to_string(). */
gboolean
clmrs_case_status_from_string (const char      *text,
                               ClmrsCaseStatus *out)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < CLMRS_CASE_N_STATUSES; i++)
    if (strcmp (text, status_names[i].code) == 0)
      {
        *out = (ClmrsCaseStatus) i;
        return TRUE;
      }
  return FALSE;
}

/* Sets @config to the defaults: 6-month interval, 30 days of grace. */
void
clmrs_case_config_init (ClmrsCaseConfig *config)
{
  g_return_if_fail (config != NULL);

  config->follow_up_months = CLMRS_CASE_DEFAULT_FOLLOW_UP_MONTHS;
  config->overdue_grace_days = CLMRS_CASE_DEFAULT_GRACE_DAYS;
}

/* Private parsers (cases-private.h) */

/* YYYY-MM-DD (optionally followed by 'T' or ' ' and a time) to a GDate
 * Julian day number; FALSE for anything else.  Hand-written because the
 * indicators read hundreds of thousands of dates. */
gboolean
_clmrs_day_parse (const char *text,
                  guint32    *julian)
{
  GDate date;
  guint y, m, d;

  if (text == NULL)
    return FALSE;
  for (int i = 0; i < 10; i++)
    {
      if (i == 4 || i == 7)
        {
          if (text[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isdigit (text[i]))
        return FALSE;
    }
  if (text[10] != '\0' && text[10] != 'T' && text[10] != ' ')
    return FALSE;
  y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
  m = (text[5] - '0') * 10 + (text[6] - '0');
  d = (text[8] - '0') * 10 + (text[9] - '0');
  if (!g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, d, m, y);
  *julian = g_date_get_julian (&date);
  return TRUE;
}

/* Writes Julian day @julian as YYYY-MM-DD into @out; "" for 0. */
void
_clmrs_day_format (guint32 julian,
                   char    out[11])
{
  GDate date;

  out[0] = '\0';
  if (julian == 0 || !g_date_valid_julian (julian))
    return;
  g_date_clear (&date, 1);
  g_date_set_julian (&date, julian);
  g_snprintf (out, 11, "%04u-%02u-%02u",
              (guint) g_date_get_year (&date),
              (guint) g_date_get_month (&date),
              (guint) g_date_get_day (&date));
}

/* A classification status code to a finding; NULL and "" are "not assessed". */
gboolean
_clmrs_finding_parse (const char    *text,
                      _ClmrsFinding *out)
{
  static const struct { const char *code; _ClmrsFinding finding; } codes[] = {
    { "not_in_child_labour",    _CLMRS_FINDING_NOT_IN_CHILD_LABOUR },
    { "at_risk",                _CLMRS_FINDING_AT_RISK },
    { "child_labour",           _CLMRS_FINDING_CHILD_LABOUR },
    { "hazardous_child_labour", _CLMRS_FINDING_HAZARDOUS },
    { "worst_form",             _CLMRS_FINDING_WORST_FORM },
    { "out_of_scope",           _CLMRS_FINDING_OUT_OF_SCOPE },
  };

  if (text == NULL || text[0] == '\0')
    {
      *out = _CLMRS_FINDING_NONE;
      return TRUE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
    if (strcmp (text, codes[i].code) == 0)
      {
        *out = codes[i].finding;
        return TRUE;
      }
  return FALSE;
}

gboolean
_clmrs_visit_kind_parse (const char      *text,
                         _ClmrsVisitKind *out)
{
  if (text == NULL)
    return FALSE;
  if (strcmp (text, "household") == 0)
    *out = _CLMRS_VISIT_HOUSEHOLD;
  else if (strcmp (text, "follow_up") == 0)
    *out = _CLMRS_VISIT_FOLLOW_UP;
  else if (strcmp (text, "farm") == 0)
    *out = _CLMRS_VISIT_FARM;
  else
    return FALSE;
  return TRUE;
}

/* "present", NULL and "" are present; "moved" and "lost" are not. */
gboolean
_clmrs_child_present_parse (const char *text,
                            gboolean   *present)
{
  if (text == NULL || text[0] == '\0' || strcmp (text, "present") == 0)
    *present = TRUE;
  else if (strcmp (text, "moved") == 0 || strcmp (text, "lost") == 0)
    *present = FALSE;
  else
    return FALSE;
  return TRUE;
}

/* Evaluation */

typedef struct {
  guint32         day;
  guint           index;
  _ClmrsVisitKind kind;
  _ClmrsFinding   finding;
  gboolean        present;
  gboolean        danger;
  int             age;
} Visit;

typedef struct {
  guint32     day;
  guint       index;
  const char *type;
} Support;

static int
compare_visits (const void *a,
                const void *b)
{
  const Visit *va = a, *vb = b;

  if (va->day != vb->day)
    return va->day < vb->day ? -1 : 1;
  return va->index < vb->index ? -1 : (va->index > vb->index);
}

static int
compare_supports (const void *a,
                  const void *b)
{
  const Support *sa = a, *sb = b;

  if (sa->day != sb->day)
    return sa->day < sb->day ? -1 : 1;
  return sa->index < sb->index ? -1 : (sa->index > sb->index);
}

static guint32
add_months (guint32 julian,
            guint   months)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, julian);
  clmrs_date_add_months (&date, months);
  return g_date_get_julian (&date);
}

/* Completed years from @from to @to (Julian days), -1 if @to is earlier. */
static int
years_between (guint32 from,
               guint32 to)
{
  GDate a, b;

  g_date_clear (&a, 1);
  g_date_clear (&b, 1);
  g_date_set_julian (&a, from);
  g_date_set_julian (&b, to);
  return clmrs_age_on (&a, &b);
}

/* Distinct support types among @supports[first..n) (sorted by day). */
static guint
count_types (const Support *supports,
             guint          first,
             guint          n)
{
  guint count = 0;

  for (guint i = first; i < n; i++)
    {
      gboolean seen = FALSE;

      for (guint j = first; j < i && !seen; j++)
        seen = strcmp (supports[j].type, supports[i].type) == 0;
      if (!seen)
        count++;
    }
  return count;
}

/* Index of the first support dated on or after @day, or @n. */
static guint
first_support_from (const Support *supports,
                    guint          n,
                    guint32        day)
{
  guint i = 0;

  while (i < n && supports[i].day < day)
    i++;
  return i;
}

/**
 * clmrs_case_evaluate:
 * @input: the child's date of birth, visits and supports
 * @config: (nullable): interval and grace; %NULL for the defaults
 * @today: the day to evaluate on; records dated after it are ignored
 * @out: (out caller-allocates): the case
 *
 * Computes the child's case as documented at the top of cases.h.  The same
 * input always gives the same case: nothing but @input, @config and @today
 * is read.
 *
 * Returns: %TRUE and fills @out; %FALSE with @error naming the visit or
 * support (its index in @input), the field and the value when a date or a
 * code is invalid (@out is then cleared to "none").
 */
gboolean
clmrs_case_evaluate (const ClmrsCaseInput  *input,
                     const ClmrsCaseConfig *config,
                     const GDate           *today,
                     ClmrsCase             *out,
                     GError               **error)
{
  ClmrsCaseConfig defaults;
  g_autofree Visit *visits = NULL;
  g_autofree Support *supports = NULL;
  guint n_visits = 0, n_supports = 0;
  guint32 day_today, birth = 0;
  gboolean open = FALSE, moved = FALSE;
  guint32 episode_day = 0, first_day = 0, last_visit_day = 0, exit_day = 0;
  int age_visit = 0;
  guint32 age_visit_day = 0;

  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (input->n_visits == 0 || input->visits != NULL, FALSE);
  g_return_val_if_fail (input->n_supports == 0 || input->supports != NULL, FALSE);
  g_return_val_if_fail (today != NULL && g_date_valid (today), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out, 0, sizeof *out);
  out->status = CLMRS_CASE_NONE;
  out->age = -1;
  out->since_first.identification_visit = -1;
  out->since_first.last_follow_up_visit = -1;

  if (config == NULL)
    {
      clmrs_case_config_init (&defaults);
      config = &defaults;
    }
  day_today = g_date_get_julian (today);

  if (input->birth_date != NULL && input->birth_date[0] != '\0' &&
      !_clmrs_day_parse (input->birth_date, &birth))
    {
      g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_DATE,
                   "birth_date “%s” is not a YYYY-MM-DD date", input->birth_date);
      return FALSE;
    }

  /* Read and check every visit, keeping those up to today. */
  visits = g_new (Visit, MAX (input->n_visits, 1));
  for (guint i = 0; i < input->n_visits; i++)
    {
      const ClmrsCaseVisit *row = &input->visits[i];
      Visit v = { 0, i, 0, 0, TRUE, row->immediate_danger, row->age };

      if (!_clmrs_day_parse (row->date, &v.day))
        {
          g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_DATE,
                       "visit %u: date “%s” is not a YYYY-MM-DD date",
                       i, row->date ? row->date : "(null)");
          return FALSE;
        }
      if (!_clmrs_visit_kind_parse (row->kind, &v.kind))
        {
          g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE,
                       "visit %u: kind “%s” is not household, farm or follow_up",
                       i, row->kind ? row->kind : "(null)");
          return FALSE;
        }
      if (!_clmrs_finding_parse (row->status, &v.finding))
        {
          g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE,
                       "visit %u: status “%s” is not a classification status",
                       i, row->status);
          return FALSE;
        }
      if (!_clmrs_child_present_parse (row->child_status, &v.present))
        {
          g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE,
                       "visit %u: child_status “%s” is not present, moved or lost",
                       i, row->child_status);
          return FALSE;
        }
      if (!v.present)
        v.finding = _CLMRS_FINDING_NONE;
      if (v.day <= day_today)
        visits[n_visits++] = v;
    }

  supports = g_new (Support, MAX (input->n_supports, 1));
  for (guint i = 0; i < input->n_supports; i++)
    {
      const ClmrsCaseSupport *row = &input->supports[i];
      Support s = { 0, i, row->type };

      if (!_clmrs_day_parse (row->date, &s.day))
        {
          g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_DATE,
                       "support %u: date “%s” is not a YYYY-MM-DD date",
                       i, row->date ? row->date : "(null)");
          return FALSE;
        }
      if (row->type == NULL || row->type[0] == '\0')
        {
          g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE,
                       "support %u: type is missing", i);
          return FALSE;
        }
      if (s.day <= day_today)
        supports[n_supports++] = s;
    }

  if (n_visits > 1)
    qsort (visits, n_visits, sizeof (Visit), compare_visits);
  if (n_supports > 1)
    qsort (supports, n_supports, sizeof (Support), compare_supports);

  /* Walk the visits in time order through the episodes. */
  for (guint i = 0; i < n_visits; i++)
    {
      const Visit *v = &visits[i];
      gboolean in_cl = _CLMRS_FINDING_IS_CL (v->finding);
      gboolean clean = _CLMRS_FINDING_IS_CLEAN (v->finding);
      gboolean follow_up = v->kind == _CLMRS_VISIT_FOLLOW_UP;

      if (v->age > 0)
        {
          age_visit = v->age;
          age_visit_day = v->day;
        }

      if (!out->ever_identified && !in_cl)
        continue;

      /* An assessed follow-up after the first identification (one that
       * finds a relapse included). */
      if (out->ever_identified && follow_up && (in_cl || clean))
        {
          out->since_first.n_follow_ups++;
          if (out->since_first.n_follow_ups == 1)
            out->since_first.first_follow_up_clean = clean;
          out->since_first.last_follow_up_visit = (int) v->index;
        }

      if (in_cl && !open)
        {
          open = TRUE;
          moved = FALSE;
          episode_day = v->day;
          last_visit_day = v->day;
          out->relapsed = out->ever_exited;
          out->ever_relapsed |= out->ever_exited;
          out->referred = v->finding == _CLMRS_FINDING_WORST_FORM || v->danger;
          out->n_follow_ups = 0;
          out->n_clean_follow_ups = 0;
          exit_day = 0;
          if (!out->ever_identified)
            {
              out->ever_identified = TRUE;
              first_day = v->day;
              out->since_first.identification_visit = (int) v->index;
            }
          continue;
        }

      if (!open)
        continue;

      last_visit_day = v->day;
      moved = !v->present;
      if (in_cl)
        {
          out->n_clean_follow_ups = 0;
          if (v->finding == _CLMRS_FINDING_WORST_FORM || v->danger)
            out->referred = TRUE;
          if (follow_up)
            out->n_follow_ups++;
        }
      else if (clean && follow_up)
        {
          out->n_follow_ups++;
          out->n_clean_follow_ups++;
          if (out->n_clean_follow_ups >= CLMRS_CASE_CLEAN_FOLLOW_UPS_TO_EXIT)
            {
              open = FALSE;
              out->ever_exited = TRUE;
              exit_day = v->day;
            }
        }
    }

  /* Age today: from the date of birth, else a lower bound from a visit. */
  if (birth != 0)
    out->age = years_between (birth, day_today);
  else if (age_visit > 0)
    out->age = age_visit + MAX (years_between (age_visit_day, day_today), 0);

  if (!out->ever_identified)
    return TRUE;

  /* Supports of the latest episode and since the first identification. */
  {
    guint from_episode = first_support_from (supports, n_supports, episode_day);
    guint from_first = first_support_from (supports, n_supports, first_day);

    if (from_episode < n_supports)
      _clmrs_day_format (supports[from_episode].day, out->first_support_date);
    out->n_support_types = count_types (supports, from_episode, n_supports);
    if (from_first < n_supports)
      _clmrs_day_format (supports[from_first].day, out->since_first.first_support_date);
    out->since_first.n_support_types = count_types (supports, from_first, n_supports);
  }

  _clmrs_day_format (first_day, out->since_first.identification_date);
  _clmrs_day_format (episode_day, out->identification_date);
  _clmrs_day_format (last_visit_day, out->last_visit_date);
  out->open = open;

  if (!open)
    {
      _clmrs_day_format (exit_day, out->exit_date);
      out->relapsed = FALSE;
      out->referred = FALSE;
      out->status = CLMRS_CASE_EXITED;
      return TRUE;
    }

  {
    guint32 due = add_months (last_visit_day, MAX (config->follow_up_months, 1));

    _clmrs_day_format (due, out->next_due_date);
    out->follow_up_due = day_today >= due;
    out->follow_up_overdue = day_today > due + config->overdue_grace_days;
  }

  if (out->age >= 18)
    out->status = CLMRS_CASE_AGED_OUT;
  else if (moved)
    out->status = CLMRS_CASE_MOVED_LOST;
  else if (out->referred)
    out->status = CLMRS_CASE_REFERRED;
  else if (out->follow_up_overdue)
    out->status = CLMRS_CASE_FOLLOW_UP_OVERDUE;
  else if (out->follow_up_due)
    out->status = CLMRS_CASE_FOLLOW_UP_DUE;
  else if (out->first_support_date[0] == '\0')
    out->status = out->relapsed ? CLMRS_CASE_RELAPSED : CLMRS_CASE_IDENTIFIED;
  else
    out->status = CLMRS_CASE_SUPPORTED;
  return TRUE;
}

static void
add_date (JsonBuilder *builder,
          const char  *name,
          const char  *date)
{
  json_builder_set_member_name (builder, name);
  if (date[0] == '\0')
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, date);
}

/**
 * clmrs_case_to_json:
 *
 * Returns: (transfer full): @kase as a JSON object: the status code and
 * label, the flags, the dates (null when absent) and the counts, with the
 * field names of #ClmrsCase.
 */
JsonNode *
clmrs_case_to_json (const ClmrsCase *kase)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (kase != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, clmrs_case_status_to_string (kase->status));
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, clmrs_case_status_to_label (kase->status));
#define FLAG(name) \
  json_builder_set_member_name (builder, #name); \
  json_builder_add_boolean_value (builder, kase->name);
  FLAG (open)
  FLAG (ever_identified)
  FLAG (ever_exited)
  FLAG (ever_relapsed)
  FLAG (relapsed)
  FLAG (referred)
  FLAG (follow_up_due)
  FLAG (follow_up_overdue)
#undef FLAG
  json_builder_set_member_name (builder, "age");
  if (kase->age < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, kase->age);
  add_date (builder, "identification_date", kase->identification_date);
  add_date (builder, "first_support_date", kase->first_support_date);
  add_date (builder, "last_visit_date", kase->last_visit_date);
  add_date (builder, "next_due_date", kase->next_due_date);
  add_date (builder, "exit_date", kase->exit_date);
  json_builder_set_member_name (builder, "n_follow_ups");
  json_builder_add_int_value (builder, kase->n_follow_ups);
  json_builder_set_member_name (builder, "n_clean_follow_ups");
  json_builder_add_int_value (builder, kase->n_clean_follow_ups);
  json_builder_set_member_name (builder, "n_support_types");
  json_builder_add_int_value (builder, kase->n_support_types);
  json_builder_set_member_name (builder, "since_first");
  json_builder_begin_object (builder);
  add_date (builder, "identification_date", kase->since_first.identification_date);
  add_date (builder, "first_support_date", kase->since_first.first_support_date);
  json_builder_set_member_name (builder, "n_support_types");
  json_builder_add_int_value (builder, kase->since_first.n_support_types);
  json_builder_set_member_name (builder, "n_follow_ups");
  json_builder_add_int_value (builder, kase->since_first.n_follow_ups);
  json_builder_set_member_name (builder, "first_follow_up_clean");
  if (kase->since_first.n_follow_ups == 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_boolean_value (builder, kase->since_first.first_follow_up_clean);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
