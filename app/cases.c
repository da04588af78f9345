/* cases.c: a child's case (follow-up, exit, relapse) as a pure function of their visits and supports. */
#define G_LOG_DOMAIN "clmrs-cases"

#include "cases.h"
#include "cases-private.h"
#include "assets.h"
#include "util.h"

#include <stdarg.h>
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
  [CLMRS_CASE_FOLLOW_UP_MISSED]  = { "follow_up_missed",  "Follow-up window missed" },
  [CLMRS_CASE_CLOSED]            = { "closed",            "Case closed" },
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

/* Sets @config to the defaults: a 6-month target interval in a 5-8 month
 * window, 30 days of grace, annual monitoring after exit, exit only with an
 * alternative in place. */
void
clmrs_case_config_init (ClmrsCaseConfig *config)
{
  g_return_if_fail (config != NULL);

  config->follow_up_months = CLMRS_CASE_DEFAULT_FOLLOW_UP_MONTHS;
  config->overdue_grace_days = CLMRS_CASE_DEFAULT_GRACE_DAYS;
  config->min_interval_months = CLMRS_CASE_DEFAULT_MIN_INTERVAL_MONTHS;
  config->max_interval_months = CLMRS_CASE_DEFAULT_MAX_INTERVAL_MONTHS;
  config->post_exit_months = CLMRS_CASE_DEFAULT_POST_EXIT_MONTHS;
  config->exit_needs_alternative = TRUE;
  config->support_overdue_days = CLMRS_CASE_DEFAULT_SUPPORT_OVERDUE_DAYS;
  config->closed_keep_days = CLMRS_CASE_DEFAULT_CLOSED_KEEP_DAYS;
}

static const struct {
  const char *name;
  gsize       offset;
  guint       max;
} config_uints[] = {
  { "follow_up_months",    G_STRUCT_OFFSET (ClmrsCaseConfig, follow_up_months),    120 },
  { "overdue_grace_days",  G_STRUCT_OFFSET (ClmrsCaseConfig, overdue_grace_days),  3650 },
  { "min_interval_months", G_STRUCT_OFFSET (ClmrsCaseConfig, min_interval_months), 120 },
  { "max_interval_months", G_STRUCT_OFFSET (ClmrsCaseConfig, max_interval_months), 120 },
  { "post_exit_months",    G_STRUCT_OFFSET (ClmrsCaseConfig, post_exit_months),    120 },
  { "support_overdue_days", G_STRUCT_OFFSET (ClmrsCaseConfig, support_overdue_days), 3650 },
  { "closed_keep_days",    G_STRUCT_OFFSET (ClmrsCaseConfig, closed_keep_days),    36500 },
};

/**
 * clmrs_case_config_from_json:
 * @config: the rules to change (members absent from @node keep their value)
 * @node: a JSON object: follow_up_months, overdue_grace_days,
 *   min_interval_months, max_interval_months, post_exit_months,
 *   closed_keep_days (whole numbers), exit_needs_alternative (boolean);
 *   "description" is ignored
 *
 * Returns: %TRUE; %FALSE with @error naming the member that is unknown,
 * ill-typed or out of range, or the window that is inconsistent (@config
 * is then unchanged).
 */
gboolean
clmrs_case_config_from_json (ClmrsCaseConfig  *config,
                             JsonNode         *node,
                             GError          **error)
{
  ClmrsCaseConfig next = *config;
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (node != NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE,
                   "the case rules must be a JSON object");
      return FALSE;
    }
  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (object, name);
      gboolean known = FALSE;

      if (strcmp (name, "description") == 0)
        continue;
      if (strcmp (name, "exit_needs_alternative") == 0)
        {
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
            {
              g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE,
                           "case rules: exit_needs_alternative must be true or false");
              return FALSE;
            }
          next.exit_needs_alternative = json_node_get_boolean (value);
          continue;
        }
      for (gsize i = 0; i < G_N_ELEMENTS (config_uints) && !known; i++)
        {
          gint64 number;

          if (strcmp (name, config_uints[i].name) != 0)
            continue;
          known = TRUE;
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_INT64 ||
              (number = json_node_get_int (value)) < 0 || number > config_uints[i].max)
            {
              g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE,
                           "case rules: %s must be a whole number from 0 to %u",
                           name, config_uints[i].max);
              return FALSE;
            }
          G_STRUCT_MEMBER (guint, &next, config_uints[i].offset) = (guint) number;
        }
      if (!known)
        {
          g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE,
                       "case rules: unknown member “%s”", name);
          return FALSE;
        }
    }
  if (next.follow_up_months < 1)
    {
      g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE,
                   "case rules: follow_up_months must be at least 1");
      return FALSE;
    }
  if (next.max_interval_months > 0 &&
      (next.min_interval_months > next.follow_up_months ||
       next.follow_up_months > next.max_interval_months))
    {
      g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE,
                   "case rules: the window must hold the target interval"
                   " (min_interval_months %u <= follow_up_months %u <= max_interval_months %u)",
                   next.min_interval_months, next.follow_up_months, next.max_interval_months);
      return FALSE;
    }
  *config = next;
  return TRUE;
}

/* Sets the target interval to @months and moves the window with it, by
 * the offsets the rules had (5-8 around 6: 11-14 around 12), so a
 * supervisor's interval never falls outside its own window. */
void
clmrs_case_config_set_interval (ClmrsCaseConfig *config,
                                guint            months)
{
  int below, above;

  g_return_if_fail (config != NULL && months >= 1);

  below = (int) config->follow_up_months - (int) config->min_interval_months;
  above = (int) config->max_interval_months - (int) config->follow_up_months;
  config->follow_up_months = months;
  if (config->min_interval_months > 0)
    config->min_interval_months = (guint) MAX ((int) months - below, 1);
  if (config->max_interval_months > 0)
    config->max_interval_months = months + (guint) MAX (above, 0);
}

/* Sets @config to the programme's case rules as shipped
 * (assets/programme/case_rules.json) over the defaults. */
gboolean
clmrs_case_config_load_programme (ClmrsCaseConfig  *config,
                                  GError          **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data;

  g_return_val_if_fail (config != NULL, FALSE);

  clmrs_case_config_init (config);
  if ((bytes = clmrs_assets_lookup ("programme/case_rules.json", error)) == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  if (!json_parser_load_from_data (parser, data, (gssize) size, error))
    {
      g_prefix_error (error, "programme/case_rules.json: ");
      return FALSE;
    }
  return clmrs_case_config_from_json (config, json_parser_get_root (parser), error);
}

/* @config as the JSON object clmrs_case_config_from_json() reads. */
JsonNode *
clmrs_case_config_to_json (const ClmrsCaseConfig *config)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (config != NULL, NULL);

  json_builder_begin_object (builder);
  for (gsize i = 0; i < G_N_ELEMENTS (config_uints); i++)
    {
      json_builder_set_member_name (builder, config_uints[i].name);
      json_builder_add_int_value (builder, G_STRUCT_MEMBER (guint, config, config_uints[i].offset));
    }
  json_builder_set_member_name (builder, "exit_needs_alternative");
  json_builder_add_boolean_value (builder, config->exit_needs_alternative);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
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
  guint32              day;
  guint                index;
  _ClmrsVisitKind      kind;
  _ClmrsFinding        finding;
  gboolean             present;
  gboolean             danger;
  int                  age;
  const char          *in_school;
  ClmrsHazardSinceLast hazard;
  ClmrsAlternative     alternative;
} Visit;

typedef enum {
  SUPPORT_DELIVERED,
  SUPPORT_PLANNED,
  SUPPORT_DECLINED,
} SupportState;

typedef struct {
  guint32       day;
  guint         index;
  const char   *type;
  SupportState  state;
} Support;

typedef struct {
  guint32            day;
  guint              index;
  ClmrsClosureReason reason;
} Closure;

/* Sorts Visit, Support and Closure alike: by day, then input order (the
 * two members every one of them starts with). */
typedef struct {
  guint32 day;
  guint   index;
} Dated;

static int
compare_dated (const void *a,
               const void *b)
{
  const Dated *da = a, *db = b;

  if (da->day != db->day)
    return da->day < db->day ? -1 : 1;
  return da->index < db->index ? -1 : (da->index > db->index);
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

/* Distinct delivered support types among @supports[first..n) (sorted by day). */
static guint
count_types (const Support *supports,
             guint          first,
             guint          n)
{
  guint count = 0;

  for (guint i = first; i < n; i++)
    {
      gboolean seen = FALSE;

      if (supports[i].state != SUPPORT_DELIVERED)
        continue;
      for (guint j = first; j < i && !seen; j++)
        seen = supports[j].state == SUPPORT_DELIVERED &&
               strcmp (supports[j].type, supports[i].type) == 0;
      if (!seen)
        count++;
    }
  return count;
}

/* Index of the first delivered support dated on or after @day, or @n. */
static guint
first_support_from (const Support *supports,
                    guint          n,
                    guint32        day)
{
  guint i = 0;

  while (i < n && (supports[i].day < day || supports[i].state != SUPPORT_DELIVERED))
    i++;
  return i;
}

static const char * const closure_codes[CLMRS_CLOSURE_N_REASONS] = {
  [CLMRS_CLOSURE_NONE]              = "none",
  [CLMRS_CLOSURE_DECEASED]          = "deceased",
  [CLMRS_CLOSURE_MOVED_OUT]         = "moved_out",
  [CLMRS_CLOSURE_CONSENT_WITHDRAWN] = "consent_withdrawn",
  [CLMRS_CLOSURE_AGED_OUT]          = "aged_out",
  [CLMRS_CLOSURE_DUPLICATE]         = "duplicate",
};

/* The code of @reason ("moved_out"); "none" for an unknown value. */
const char *
clmrs_closure_reason_to_string (ClmrsClosureReason reason)
{
  if ((guint) reason >= CLMRS_CLOSURE_N_REASONS)
    return closure_codes[CLMRS_CLOSURE_NONE];
  return closure_codes[reason];
}

/* TRUE and sets @out when @text is a closure reason code other than "none". */
gboolean
clmrs_closure_reason_from_string (const char         *text,
                                  ClmrsClosureReason *out)
{
  if (text == NULL)
    return FALSE;
  for (guint i = CLMRS_CLOSURE_DECEASED; i < CLMRS_CLOSURE_N_REASONS; i++)
    if (strcmp (text, closure_codes[i]) == 0)
      {
        *out = (ClmrsClosureReason) i;
        return TRUE;
      }
  return FALSE;
}

static const char * const alternative_codes[] = {
  [CLMRS_ALTERNATIVE_UNKNOWN]        = "unknown",
  [CLMRS_ALTERNATIVE_NONE]           = "none",
  [CLMRS_ALTERNATIVE_SCHOOL]         = "school",
  [CLMRS_ALTERNATIVE_TRAINING]       = "training",
  [CLMRS_ALTERNATIVE_PERMITTED_WORK] = "permitted_work",
};

const char *
clmrs_alternative_to_string (ClmrsAlternative alternative)
{
  if ((guint) alternative >= G_N_ELEMENTS (alternative_codes))
    return alternative_codes[CLMRS_ALTERNATIVE_UNKNOWN];
  return alternative_codes[alternative];
}

gboolean
clmrs_alternative_from_string (const char       *text,
                               ClmrsAlternative *out)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (alternative_codes); i++)
    if (strcmp (text, alternative_codes[i]) == 0)
      {
        *out = (ClmrsAlternative) i;
        return TRUE;
      }
  return FALSE;
}

/* What the child does instead of child labour at @v: as recorded, else
 * school from in_school, else training when a vocational_training support
 * was delivered between @from and the visit. */
static ClmrsAlternative
visit_alternative (const Visit   *v,
                   const Support *supports,
                   guint          n_supports,
                   guint32        from)
{
  ClmrsAlternative alt = v->alternative;

  if (alt == CLMRS_ALTERNATIVE_UNKNOWN && v->in_school != NULL)
    alt = strcmp (v->in_school, "yes") == 0 ? CLMRS_ALTERNATIVE_SCHOOL : CLMRS_ALTERNATIVE_NONE;
  if (alt == CLMRS_ALTERNATIVE_UNKNOWN || alt == CLMRS_ALTERNATIVE_NONE)
    for (guint i = 0; i < n_supports && supports[i].day <= v->day; i++)
      if (supports[i].day >= from && supports[i].state == SUPPORT_DELIVERED &&
          strcmp (supports[i].type, "vocational_training") == 0)
        return CLMRS_ALTERNATIVE_TRAINING;
  return alt;
}

static const char *
kind_name (_ClmrsVisitKind kind)
{
  return kind == _CLMRS_VISIT_FOLLOW_UP ? "follow-up" : kind == _CLMRS_VISIT_FARM ? "farm visit"
                                                                                   : "household visit";
}

static const char *
finding_code (_ClmrsFinding finding)
{
  static const char * const codes[] = {
    [_CLMRS_FINDING_NONE] = "not assessed",
    [_CLMRS_FINDING_OUT_OF_SCOPE] = "out_of_scope",
    [_CLMRS_FINDING_NOT_IN_CHILD_LABOUR] = "not_in_child_labour",
    [_CLMRS_FINDING_AT_RISK] = "at_risk",
    [_CLMRS_FINDING_CHILD_LABOUR] = "child_labour",
    [_CLMRS_FINDING_HAZARDOUS] = "hazardous_child_labour",
    [_CLMRS_FINDING_WORST_FORM] = "worst_form",
  };
  return codes[finding];
}

static void explain (GPtrArray *reasons, guint32 day, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* Adds "YYYY-MM-DD: what happened" to @reasons, when asked for. */
static void
explain (GPtrArray  *reasons,
         guint32     day,
         const char *format,
         ...)
{
  g_autofree char *text = NULL;
  char date[11];
  va_list args;

  if (reasons == NULL)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  _clmrs_day_format (day, date);
  g_ptr_array_add (reasons, g_strdup_printf ("%s: %s", date, text));
}

/* Reads and checks every row of @input, keeping those up to @day_today. */
static gboolean
read_input (const ClmrsCaseInput *input,
            guint32               day_today,
            Visit                *visits,
            guint                *n_visits,
            Support              *supports,
            guint                *n_supports,
            Closure              *closures,
            guint                *n_closures,
            GError              **error)
{
  for (guint i = 0; i < input->n_visits; i++)
    {
      const ClmrsCaseVisit *row = &input->visits[i];
      Visit v = { 0, i, 0, 0, TRUE, row->immediate_danger, row->age, row->in_school,
                  row->hazard_since_last, row->alternative };

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
        visits[(*n_visits)++] = v;
    }

  for (guint i = 0; i < input->n_supports; i++)
    {
      const ClmrsCaseSupport *row = &input->supports[i];
      Support s = { 0, i, row->type, SUPPORT_DELIVERED };

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
      if (row->state == NULL || row->state[0] == '\0' || strcmp (row->state, "delivered") == 0)
        s.state = SUPPORT_DELIVERED;
      else if (strcmp (row->state, "planned") == 0)
        s.state = SUPPORT_PLANNED;
      else if (strcmp (row->state, "declined") == 0)
        s.state = SUPPORT_DECLINED;
      else
        {
          g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE,
                       "support %u: state “%s” is not planned, delivered or declined",
                       i, row->state);
          return FALSE;
        }
      if (s.day <= day_today)
        supports[(*n_supports)++] = s;
    }

  for (guint i = 0; i < input->n_closures; i++)
    {
      const ClmrsCaseClosure *row = &input->closures[i];
      Closure c = { 0, i, CLMRS_CLOSURE_NONE };

      if (!_clmrs_day_parse (row->date, &c.day))
        {
          g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_DATE,
                       "closure %u: date “%s” is not a YYYY-MM-DD date",
                       i, row->date ? row->date : "(null)");
          return FALSE;
        }
      if (!clmrs_closure_reason_from_string (row->reason, &c.reason))
        {
          g_set_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE,
                       "closure %u: reason “%s” is not deceased, moved_out, consent_withdrawn,"
                       " aged_out or duplicate", i, row->reason ? row->reason : "(null)");
          return FALSE;
        }
      if (c.day <= day_today)
        closures[(*n_closures)++] = c;
    }
  return TRUE;
}

/**
 * clmrs_case_evaluate:
 * @input: the child's date of birth, visits, supports and closures
 * @config: (nullable): the case rules; %NULL for the defaults
 * @today: the day to evaluate on; records dated after it are ignored
 * @out: (out caller-allocates): the case
 *
 * Computes the child's case as documented at the top of cases.h.  The same
 * input always gives the same case: nothing but @input, @config and @today
 * is read.
 *
 * Returns: %TRUE and fills @out; %FALSE with @error naming the visit,
 * support or closure (its index in @input), the field and the value when a
 * date or a code is invalid (@out is then cleared to "none").
 */
gboolean
clmrs_case_evaluate (const ClmrsCaseInput  *input,
                     const ClmrsCaseConfig *config,
                     const GDate           *today,
                     ClmrsCase             *out,
                     GError               **error)
{
  return clmrs_case_evaluate_explained (input, config, today, out, NULL, error);
}

static gboolean evaluate (const ClmrsCaseInput *, const ClmrsCaseConfig *, const GDate *,
                          ClmrsCase *, GPtrArray *, GError **);

/* clmrs_case_evaluate() with the steps that decided the case in @reasons,
 * ending with the status on @today and what comes next. */
gboolean
clmrs_case_evaluate_explained (const ClmrsCaseInput  *input,
                               const ClmrsCaseConfig *config,
                               const GDate           *today,
                               ClmrsCase             *out,
                               GPtrArray             *reasons,
                               GError               **error)
{
  guint32 day;

  if (!evaluate (input, config, today, out, reasons, error))
    return FALSE;
  if (reasons == NULL)
    return TRUE;
  day = g_date_get_julian (today);
  if (out->follow_up_missed)
    explain (reasons, day, "%s: no follow-up in the window that ended on %s",
             clmrs_case_status_to_string (out->status), out->window_end_date);
  else if (out->monitoring_due)
    explain (reasons, day, "%s: the yearly monitoring visit was due on %s",
             clmrs_case_status_to_string (out->status), out->next_due_date);
  else if (out->status == CLMRS_CASE_EXITED && out->next_due_date[0] == '\0')
    explain (reasons, day, "%s: no monitoring after 18", clmrs_case_status_to_string (out->status));
  else if (out->next_due_date[0] != '\0')
    explain (reasons, day, "%s: next visit due on %s", clmrs_case_status_to_string (out->status),
             out->next_due_date);
  else
    explain (reasons, day, "%s", clmrs_case_status_to_string (out->status));
  return TRUE;
}

static gboolean
evaluate (const ClmrsCaseInput  *input,
          const ClmrsCaseConfig *config,
          const GDate           *today,
          ClmrsCase             *out,
          GPtrArray             *reasons,
          GError               **error)
{
  ClmrsCaseConfig defaults;
  g_autofree Visit *visits = NULL;
  g_autofree Support *supports = NULL;
  g_autofree Closure *closures = NULL;
  guint n_visits = 0, n_supports = 0, n_closures = 0, next_closure = 0;
  guint32 day_today, birth = 0;
  gboolean open = FALSE, moved = FALSE;
  guint32 episode_day = 0, first_day = 0, last_visit_day = 0, exit_day = 0, anchor = 0;
  guint32 closure_day = 0;
  int age_visit = 0;
  guint32 age_visit_day = 0;

  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (input->n_visits == 0 || input->visits != NULL, FALSE);
  g_return_val_if_fail (input->n_supports == 0 || input->supports != NULL, FALSE);
  g_return_val_if_fail (input->n_closures == 0 || input->closures != NULL, FALSE);
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

  visits = g_new (Visit, MAX (input->n_visits, 1));
  supports = g_new (Support, MAX (input->n_supports, 1));
  closures = g_new (Closure, MAX (input->n_closures, 1));
  if (!read_input (input, day_today, visits, &n_visits, supports, &n_supports,
                   closures, &n_closures, error))
    return FALSE;

  qsort (visits, n_visits, sizeof (Visit), compare_dated);
  qsort (supports, n_supports, sizeof (Support), compare_dated);
  qsort (closures, n_closures, sizeof (Closure), compare_dated);

  /* Walk the visits in time order through the episodes; a closure comes
   * after the visits of its day (the closure form ends that day's work). */
  for (guint i = 0; i <= n_visits; i++)
    {
      const Visit *v = i < n_visits ? &visits[i] : NULL;
      gboolean in_cl, not_in_cl, clean, follow_up;

      while (next_closure < n_closures && (v == NULL || closures[next_closure].day < v->day))
        {
          const Closure *c = &closures[next_closure++];

          open = FALSE;
          moved = FALSE;
          out->closed = TRUE;
          out->closure_reason = c->reason;
          closure_day = c->day;
          explain (reasons, c->day, "case closed: %s", clmrs_closure_reason_to_string (c->reason));
        }
      if (v == NULL)
        break;

      in_cl = _CLMRS_FINDING_IS_CL (v->finding);
      not_in_cl = _CLMRS_FINDING_IS_CLEAN (v->finding);
      follow_up = v->kind == _CLMRS_VISIT_FOLLOW_UP;
      /* out of child labour at a follow-up rests on the since-last-visit
       * recall; without it only not_in_child_labour (whose 12-month recall
       * had no hazardous task) is clean */
      clean = not_in_cl &&
              (v->hazard == CLMRS_HAZARD_SINCE_LAST_NONE ||
               (v->hazard == CLMRS_HAZARD_SINCE_LAST_UNKNOWN &&
                v->finding == _CLMRS_FINDING_NOT_IN_CHILD_LABOUR));

      if (v->age > 0)
        {
          age_visit = v->age;
          age_visit_day = v->day;
        }

      if (!out->ever_identified && !in_cl)
        continue;

      /* An assessed follow-up after the first identification (one that
       * finds a relapse included). */
      if (out->ever_identified && follow_up && (in_cl || not_in_cl))
        {
          out->since_first.n_follow_ups++;
          if (out->since_first.n_follow_ups == 1)
            {
              out->since_first.first_follow_up_clean = clean;
              out->since_first.first_follow_up_no_hazard =
                  v->finding < _CLMRS_FINDING_HAZARDOUS && v->hazard != CLMRS_HAZARD_SINCE_LAST_FOUND;
            }
          out->since_first.last_follow_up_visit = (int) v->index;
        }

      if (in_cl && !open)
        {
          open = TRUE;
          moved = FALSE;
          episode_day = v->day;
          last_visit_day = v->day;
          anchor = v->day;
          out->relapsed = out->ever_exited;
          out->ever_relapsed |= out->ever_exited;
          out->referred = v->finding == _CLMRS_FINDING_WORST_FORM || v->danger;
          out->closed = FALSE;
          out->closure_reason = CLMRS_CLOSURE_NONE;
          closure_day = 0;
          out->n_follow_ups = 0;
          out->n_clean_follow_ups = 0;
          out->n_missed_windows = 0;
          out->n_early_follow_ups = 0;
          exit_day = 0;
          if (!out->ever_identified)
            {
              out->ever_identified = TRUE;
              first_day = v->day;
              out->since_first.identification_visit = (int) v->index;
            }
          explain (reasons, v->day, "%s found %s: %s", kind_name (v->kind), finding_code (v->finding),
                   out->relapsed ? "re-identified after the exit, case opened again (relapse)"
                                 : "case opened");
          continue;
        }

      if (!open)
        {
          /* monitoring after an exit (not after a closure) */
          if (out->ever_exited && !out->closed)
            {
              last_visit_day = v->day;
              explain (reasons, v->day, "monitoring %s after the exit found %s",
                       kind_name (v->kind), v->present ? finding_code (v->finding) : "the child gone");
            }
          continue;
        }

      last_visit_day = v->day;
      moved = !v->present;
      if (!v->present)
        {
          explain (reasons, v->day, "%s: the child had moved or was not found; no finding", kind_name (v->kind));
          continue;
        }

      /* a follow-up after its window: the window was missed, the run
       * of clean follow-ups restarts */
      if (follow_up && (in_cl || not_in_cl) && config->max_interval_months > 0 &&
          v->day > add_months (anchor, config->max_interval_months))
        {
          char end[11];

          _clmrs_day_format (add_months (anchor, config->max_interval_months), end);
          out->n_missed_windows++;
          if (out->n_clean_follow_ups > 0)
            explain (reasons, v->day, "follow-up after its window (it ended on %s): missed,"
                     " the run of %u clean follow-up(s) restarts", end, out->n_clean_follow_ups);
          else
            explain (reasons, v->day, "follow-up after its window (it ended on %s): missed", end);
          out->n_clean_follow_ups = 0;
        }

      if (in_cl || (follow_up && not_in_cl && !clean))
        {
          out->n_clean_follow_ups = 0;
          anchor = v->day;
          if (v->finding == _CLMRS_FINDING_WORST_FORM || v->danger)
            out->referred = TRUE;
          if (follow_up)
            out->n_follow_ups++;
          if (in_cl)
            explain (reasons, v->day, "%s found %s: still in child labour", kind_name (v->kind),
                     finding_code (v->finding));
          else if (v->hazard == CLMRS_HAZARD_SINCE_LAST_FOUND)
            explain (reasons, v->day, "follow-up found %s but a hazardous task since the last visit:"
                     " not out of child labour, the run restarts", finding_code (v->finding));
          else
            explain (reasons, v->day, "follow-up found at_risk and the since-last-visit recall was not"
                     " asked: not out of child labour (the 12-month recall may hold a hazardous task)");
        }
      else if (clean && follow_up)
        {
          ClmrsAlternative alt;

          out->n_follow_ups++;
          if (config->min_interval_months > 0 &&
              v->day < add_months (anchor, config->min_interval_months))
            {
              char from[11];

              _clmrs_day_format (anchor, from);
              out->n_early_follow_ups++;
              explain (reasons, v->day, "clean follow-up too soon after %s (the minimum interval is"
                       " %u months): not counted toward exit", from, config->min_interval_months);
              continue;
            }
          out->n_clean_follow_ups++;
          anchor = v->day;
          alt = visit_alternative (v, supports, n_supports, episode_day);
          if (out->n_clean_follow_ups < CLMRS_CASE_CLEAN_FOLLOW_UPS_TO_EXIT)
            explain (reasons, v->day, "follow-up found %s with no hazardous task since the last visit:"
                     " clean, %u of %u in a row", finding_code (v->finding),
                     out->n_clean_follow_ups, CLMRS_CASE_CLEAN_FOLLOW_UPS_TO_EXIT);
          else if (config->exit_needs_alternative &&
                   alt != CLMRS_ALTERNATIVE_SCHOOL && alt != CLMRS_ALTERNATIVE_TRAINING &&
                   alt != CLMRS_ALTERNATIVE_PERMITTED_WORK)
            explain (reasons, v->day, "clean follow-up, %u in a row, but no alternative in place"
                     " (school, training or permitted work): not exited",
                     out->n_clean_follow_ups);
          else
            {
              open = FALSE;
              out->ever_exited = TRUE;
              exit_day = v->day;
              explain (reasons, v->day, "clean follow-up, %u in a row, alternative: %s: exited",
                       out->n_clean_follow_ups, clmrs_alternative_to_string (alt));
            }
        }
      else if (follow_up)
        explain (reasons, v->day, "follow-up found %s: no finding", finding_code (v->finding));
    }

  /* Age today: from the date of birth, else a lower bound from a visit. */
  if (birth != 0)
    out->age = years_between (birth, day_today);
  else if (age_visit > 0)
    out->age = age_visit + MAX (years_between (age_visit_day, day_today), 0);

  if (out->closed)
    {
      _clmrs_day_format (closure_day, out->closure_date);
      out->status = CLMRS_CASE_CLOSED;
      out->open = FALSE;
      out->relapsed = FALSE;
      out->referred = FALSE;
    }
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
    for (guint i = 0; i < n_supports; i++)
      if (supports[i].state == SUPPORT_PLANNED && supports[i].day >= episode_day)
        {
          out->n_supports_planned++;
          /* planned and never given: the facilitator reconciles it */
          if (config->support_overdue_days > 0 && supports[i].day + config->support_overdue_days < day_today)
            {
              char date[11];

              out->n_supports_overdue++;
              _clmrs_day_format (supports[i].day, date);
              explain (reasons, day_today, "support %s planned on %s, neither given nor declined after %u days",
                       supports[i].type, date, config->support_overdue_days);
            }
        }
  }

  _clmrs_day_format (first_day, out->since_first.identification_date);
  _clmrs_day_format (episode_day, out->identification_date);
  _clmrs_day_format (last_visit_day, out->last_visit_date);
  out->open = open;

  if (out->closed)
    return TRUE;

  if (!open)
    {
      _clmrs_day_format (exit_day, out->exit_date);
      out->relapsed = FALSE;
      out->referred = FALSE;
      out->status = CLMRS_CASE_EXITED;
      /* monitored after the exit until 18 */
      if (config->post_exit_months > 0 && out->age < CLMRS_CASE_END_AGE)
        {
          guint32 due = add_months (last_visit_day, config->post_exit_months);

          _clmrs_day_format (due, out->next_due_date);
          out->monitoring_due = day_today >= due;
        }
      return TRUE;
    }

  {
    guint32 due = add_months (last_visit_day, MAX (config->follow_up_months, 1));

    _clmrs_day_format (due, out->next_due_date);
    out->follow_up_due = day_today >= due;
    out->follow_up_overdue = day_today > due + config->overdue_grace_days;
    if (config->max_interval_months > 0)
      {
        guint32 end = add_months (anchor, config->max_interval_months);

        _clmrs_day_format (end, out->window_end_date);
        out->follow_up_missed = day_today > end;
      }
  }

  if (out->age >= CLMRS_CASE_END_AGE)
    out->status = CLMRS_CASE_AGED_OUT;
  else if (moved)
    out->status = CLMRS_CASE_MOVED_LOST;
  else if (out->referred)
    out->status = CLMRS_CASE_REFERRED;
  else if (out->follow_up_missed)
    out->status = CLMRS_CASE_FOLLOW_UP_MISSED;
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
  FLAG (follow_up_missed)
  FLAG (monitoring_due)
  FLAG (closed)
#undef FLAG
  json_builder_set_member_name (builder, "closure_reason");
  if (kase->closed)
    json_builder_add_string_value (builder, clmrs_closure_reason_to_string (kase->closure_reason));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "age");
  if (kase->age < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, kase->age);
  add_date (builder, "identification_date", kase->identification_date);
  add_date (builder, "first_support_date", kase->first_support_date);
  add_date (builder, "last_visit_date", kase->last_visit_date);
  add_date (builder, "next_due_date", kase->next_due_date);
  add_date (builder, "window_end_date", kase->window_end_date);
  add_date (builder, "exit_date", kase->exit_date);
  add_date (builder, "closure_date", kase->closure_date);
  json_builder_set_member_name (builder, "n_missed_windows");
  json_builder_add_int_value (builder, kase->n_missed_windows);
  json_builder_set_member_name (builder, "n_early_follow_ups");
  json_builder_add_int_value (builder, kase->n_early_follow_ups);
  json_builder_set_member_name (builder, "n_supports_planned");
  json_builder_add_int_value (builder, kase->n_supports_planned);
  json_builder_set_member_name (builder, "n_supports_overdue");
  json_builder_add_int_value (builder, kase->n_supports_overdue);
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
  json_builder_set_member_name (builder, "first_follow_up_no_hazard");
  if (kase->since_first.n_follow_ups == 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_boolean_value (builder, kase->since_first.first_follow_up_no_hazard);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
