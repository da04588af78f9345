/* indicators.c: CLMRS indicators (docs/cases-and-indicators.md) over plain rows, one pass. */
#define G_LOG_DOMAIN "clmrs-indicators"

#include "indicators.h"
#include "cases-private.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (clmrs-indicators-error-quark, clmrs_indicators_error)

/* The identification indicators are computed once per group of each
 * dimension; DIM_ALL has a single group, the programme as a whole. */
enum {
  DIM_ALL,
  DIM_COMMUNITY,
  DIM_FACILITATOR_SEX,
  DIM_MONTH,
  DIM_CHILD_SEX,
  N_DIMS
};

static const char *const dim_names[N_DIMS] = {
  "all", "by_community", "by_facilitator_sex", "by_month", "by_child_sex",
};

/* Severity of a child's worst in-scope finding within a group. */
enum {
  SEV_NOT_CL,
  SEV_CL,
  SEV_HAZARDOUS,
  SEV_WORST_FORM,
};

typedef struct {
  guint monitored;              /* interviewed: seen at a visit of the group */
  guint by_severity[4];
  guint proxy_only;             /* assessed in the group only through an adult's answers */
  guint proxy_only_identified;
} GroupStats;

typedef struct {
  GHashTable *ids;      /* key (owned by keys) -> group index + 1 */
  GPtrArray  *keys;     /* of char*, owned */
  GArray     *stats;    /* of GroupStats */
} Dimension;

typedef struct {
  guint    child;
  guint32  day;
  guint    group[N_DIMS];
  guint8   finding;
  gboolean in_period;
  gboolean proxy;
  int      in_school;   /* 1 yes, 0 no, -1 unknown */
  gboolean farm;        /* at a farm visit */
} Assessment;

typedef struct {
  guint   household;
  guint   first_visit;  /* into case_visits / assessments order */
  guint   n_visits;
  guint   first_support;
  guint   n_supports;
  guint   first_closure;
  guint   n_closures;
  guint   group_sex;
} Child;

static void
dimension_init (Dimension *d)
{
  d->ids = g_hash_table_new (g_str_hash, g_str_equal);
  d->keys = g_ptr_array_new_with_free_func (g_free);
  d->stats = g_array_new (FALSE, TRUE, sizeof (GroupStats));
}

static void
dimension_clear (Dimension *d)
{
  g_clear_pointer (&d->ids, g_hash_table_unref);
  g_clear_pointer (&d->keys, g_ptr_array_unref);
  g_clear_pointer (&d->stats, g_array_unref);
}

/* The group index of @key (NULL or "" = "unknown"), made on first use. */
static guint
dimension_intern (Dimension  *d,
                  const char *key)
{
  gpointer found;
  char *copy;

  if (key == NULL || key[0] == '\0')
    key = "unknown";
  found = g_hash_table_lookup (d->ids, key);
  if (found != NULL)
    return GPOINTER_TO_UINT (found) - 1;
  copy = g_strdup (key);
  g_ptr_array_add (d->keys, copy);
  g_array_set_size (d->stats, d->stats->len + 1);
  g_hash_table_insert (d->ids, copy, GUINT_TO_POINTER (d->keys->len));
  return d->keys->len - 1;
}

/* Builders */

static void
add_ratio (JsonBuilder *b,
           const char  *name,
           guint        numerator,
           guint        denominator)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "numerator");
  json_builder_add_int_value (b, numerator);
  json_builder_set_member_name (b, "denominator");
  json_builder_add_int_value (b, denominator);
  json_builder_set_member_name (b, "percent");
  if (denominator == 0)
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, round (1000.0 * numerator / denominator) / 10.0);
  json_builder_end_object (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_identification (JsonBuilder      *b,
                    const GroupStats *s)
{
  guint identified = s->by_severity[SEV_CL] + s->by_severity[SEV_HAZARDOUS] +
                     s->by_severity[SEV_WORST_FORM];

  add_int (b, "children_monitored", s->monitored);
  add_ratio (b, "children_identified", identified, s->monitored);
  add_ratio (b, "child_labour_non_hazardous", s->by_severity[SEV_CL], s->monitored);
  add_ratio (b, "hazardous_child_labour", s->by_severity[SEV_HAZARDOUS], s->monitored);
  add_ratio (b, "worst_forms", s->by_severity[SEV_WORST_FORM], s->monitored);
  add_int (b, "children_proxy_only", s->proxy_only);
  add_int (b, "children_identified_by_proxy", s->proxy_only_identified);
}

/* The follow-ups in the period that asked what support the family received
 * since the last visit, against the delivered support records of the child
 * and its household dated after the previous visit and up to the follow-up:
 * how many agree, and the support types said but not recorded, and recorded
 * but not said. */
static void
reconcile_supports (const ClmrsIndicatorsInput *input,
                    const Assessment           *assessments,
                    const guint                *order,
                    const Child                *child,
                    const ClmrsCaseSupport     *supports,
                    guint                      *n_follow_ups,
                    guint                      *n_matching,
                    guint                      *n_reported_not_recorded,
                    guint                      *n_recorded_not_reported)
{
  for (guint k = 0; k < child->n_visits; k++)
    {
      guint i = order[child->first_visit + k];
      const ClmrsAssessmentRow *row = &input->assessments[i];
      const Assessment *a = &assessments[i];
      g_auto(GStrv) said = NULL;
      g_autoptr(GPtrArray) recorded = NULL;
      guint32 previous = 0;
      guint missing = 0, unsaid = 0;

      if (!a->in_period || row->support_received == NULL ||
          g_strcmp0 (row->kind, "follow_up") != 0)
        continue;
      for (guint j = 0; j < child->n_visits; j++)
        {
          const Assessment *other = &assessments[order[child->first_visit + j]];

          if (other->day < a->day)
            previous = MAX (previous, other->day);
        }
      recorded = g_ptr_array_new ();
      for (guint s = 0; s < child->n_supports; s++)
        {
          guint32 day;

          if (supports[s].state != NULL && supports[s].state[0] != '\0' &&
              strcmp (supports[s].state, "delivered") != 0)
            continue;
          if (_clmrs_day_parse (supports[s].date, &day) && day > previous && day <= a->day &&
              !g_ptr_array_find_with_equal_func (recorded, supports[s].type, g_str_equal, NULL))
            g_ptr_array_add (recorded, (gpointer) supports[s].type);
        }
      said = g_strsplit (row->support_received, " ", -1);
      for (guint s = 0; said[s] != NULL; s++)
        if (said[s][0] != '\0' && strcmp (said[s], "none") != 0 &&
            !g_ptr_array_find_with_equal_func (recorded, said[s], g_str_equal, NULL))
          missing++;
      for (guint r = 0; r < recorded->len; r++)
        if (!g_strv_contains ((const char * const *) said, g_ptr_array_index (recorded, r)))
          unsaid++;
      (*n_follow_ups)++;
      *n_matching += missing == 0 && unsaid == 0;
      *n_reported_not_recorded += missing;
      *n_recorded_not_reported += unsaid;
    }
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static int
compare_ints (const void *a,
              const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;

  return (x > y) - (x < y);
}

static void
add_breakdown (JsonBuilder     *b,
               const Dimension *d)
{
  g_autofree const char **sorted = g_new (const char *, d->keys->len + 1);

  for (guint i = 0; i < d->keys->len; i++)
    sorted[i] = g_ptr_array_index (d->keys, i);
  qsort (sorted, d->keys->len, sizeof (char *), compare_strings);
  json_builder_begin_object (b);
  for (guint i = 0; i < d->keys->len; i++)
    {
      guint group = GPOINTER_TO_UINT (g_hash_table_lookup (d->ids, sorted[i])) - 1;

      json_builder_set_member_name (b, sorted[i]);
      json_builder_begin_object (b);
      add_identification (b, &g_array_index (d->stats, GroupStats, group));
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static void
add_nullable_string (JsonBuilder *b,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value == NULL)
    json_builder_add_null_value (b);
  else
    json_builder_add_string_value (b, value);
}

#define FAIL(...) \
  G_STMT_START { \
    g_set_error (error, CLMRS_INDICATORS_ERROR, CLMRS_INDICATORS_ERROR_INVALID, __VA_ARGS__); \
    goto out; \
  } G_STMT_END

#define S(x) ((x) ? (x) : "(null)")

/**
 * clmrs_indicators_compute:
 * @input: the rows, the period and the case rules' configuration
 * @today: the day the report is made; records dated after it are ignored
 *   (and counted in "ignored_future_records")
 *
 * Computes every indicator of docs/cases-and-indicators.md in one pass over
 * the rows (hash tables, no quadratic step).  Case-derived indicators come
 * from clmrs_case_evaluate() for each child.  Every ratio is
 * {numerator, denominator, percent} with percent null when the denominator
 * is 0, so empty input gives zeros and nulls, never a division by zero.
 *
 * Returns: (transfer full) (nullable): the indicators as a JSON object, or
 * %NULL with @error naming the row (its id, or index for sessions), the
 * field and the value when a row is invalid or names an unknown id.
 */
JsonNode *
clmrs_indicators_compute (const ClmrsIndicatorsInput *input,
                          const GDate                *today,
                          GError                    **error)
{
  JsonNode *result = NULL;
  ClmrsCaseConfig defaults;
  const ClmrsCaseConfig *config;
  guint32 day_today, from_day = 0, to_day = G_MAXUINT32;
  g_autoptr(GHashTable) household_ids = NULL;
  g_autoptr(GHashTable) child_ids = NULL;
  g_autoptr(GHashTable) facilitators = NULL;
  g_autoptr(GHashTable) targeted = NULL;
  g_autofree guint *household_community = NULL;
  g_autofree guint *household_first_child = NULL;
  g_autofree guint *household_n_children = NULL;
  g_autofree guint *household_children = NULL;
  g_autofree gboolean *household_covered = NULL;
  g_autofree Child *children = NULL;
  g_autofree Assessment *assessments = NULL;
  g_autofree guint *order = NULL;
  g_autofree ClmrsCaseVisit *case_visits = NULL;
  g_autofree guint32 *support_day = NULL;
  g_autofree int *support_target = NULL;   /* child index, or -(household + 1), or G_MININT */
  g_autofree ClmrsCaseSupport *case_supports = NULL;
  g_autofree ClmrsCaseClosure *case_closures = NULL;
  g_autofree guint8 *scratch_seen = NULL;
  g_autofree guint *scratch_group = NULL;
  g_autofree guint8 *scratch_sev = NULL;
  g_autoptr(GArray) support_days = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  Dimension dims[N_DIMS] = { { 0 } };
  guint ignored_future = 0, n_case_supports = 0, max_visits = 0;
  guint households_covered = 0, ever_identified = 0, identified_at_farm = 0;
  guint cohort = 0, supported1 = 0, supported2 = 0, supported4 = 0;
  guint followed1 = 0, followed2 = 0, first_clean = 0, exited = 0, relapsed = 0;
  guint followable = 0, hazardous_followed = 0, hazardous_stopped = 0, supported_3m = 0;
  guint closure_counts[CLMRS_CLOSURE_N_REASONS] = { 0 };
  guint reconciled = 0, reconciled_matching = 0, reported_not_recorded = 0, recorded_not_reported = 0;
  guint school_children = 0, school_before = 0, school_after = 0;
  guint status_counts[CLMRS_CASE_N_STATUSES] = { 0 };
  guint sessions = 0, men = 0, women = 0, boys = 0, girls = 0;
  g_autoptr(GHashTable) levels = NULL;

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (today != NULL && g_date_valid (today), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint d = 0; d < N_DIMS; d++)
    dimension_init (&dims[d]);
  dimension_intern (&dims[DIM_ALL], "all");
  config = input->case_config;
  if (config == NULL)
    {
      clmrs_case_config_init (&defaults);
      config = &defaults;
    }
  day_today = g_date_get_julian (today);
  if (input->from != NULL && !_clmrs_day_parse (input->from, &from_day))
    FAIL ("period from “%s” is not a YYYY-MM-DD date", input->from);
  if (input->to != NULL && !_clmrs_day_parse (input->to, &to_day))
    FAIL ("period to “%s” is not a YYYY-MM-DD date", input->to);
  if (from_day > to_day)
    FAIL ("period from “%s” is after to “%s”", input->from, input->to);

  /* Households */
  household_ids = g_hash_table_new (g_str_hash, g_str_equal);
  household_community = g_new0 (guint, input->n_households + 1);
  household_covered = g_new0 (gboolean, input->n_households + 1);
  household_first_child = g_new0 (guint, input->n_households + 1);
  household_n_children = g_new0 (guint, input->n_households + 1);
  for (guint i = 0; i < input->n_households; i++)
    {
      const ClmrsHouseholdRow *row = &input->households[i];

      if (row->id == NULL || row->id[0] == '\0')
        FAIL ("household %u: id is missing", i);
      if (!g_hash_table_insert (household_ids, (gpointer) row->id, GUINT_TO_POINTER (i + 1)))
        FAIL ("household “%s” appears twice", row->id);
      household_community[i] = dimension_intern (&dims[DIM_COMMUNITY], row->community);
    }

  /* Children */
  child_ids = g_hash_table_new (g_str_hash, g_str_equal);
  children = g_new0 (Child, input->n_children + 1);
  for (guint i = 0; i < input->n_children; i++)
    {
      const ClmrsChildRow *row = &input->children[i];
      guint household;
      guint32 birth;

      if (row->id == NULL || row->id[0] == '\0')
        FAIL ("child %u: id is missing", i);
      if (!g_hash_table_insert (child_ids, (gpointer) row->id, GUINT_TO_POINTER (i + 1)))
        FAIL ("child “%s” appears twice", row->id);
      household = GPOINTER_TO_UINT (row->household_id
                                    ? g_hash_table_lookup (household_ids, row->household_id)
                                    : NULL);
      if (household == 0)
        FAIL ("child “%s”: household_id “%s” names no household", row->id, S (row->household_id));
      if (row->birth_date != NULL && row->birth_date[0] != '\0' &&
          !_clmrs_day_parse (row->birth_date, &birth))
        FAIL ("child “%s”: birth_date “%s” is not a YYYY-MM-DD date", row->id, row->birth_date);
      children[i].household = household - 1;
      children[i].group_sex = dimension_intern (&dims[DIM_CHILD_SEX], row->sex);
      household_n_children[household - 1]++;
    }

  /* Children grouped by household (a counting sort), for household supports. */
  household_children = g_new (guint, input->n_children + 1);
  {
    guint sum = 0;
    g_autofree guint *fill = g_new0 (guint, input->n_households + 1);

    for (guint h = 0; h < input->n_households; h++)
      {
        household_first_child[h] = sum;
        sum += household_n_children[h];
      }
    for (guint i = 0; i < input->n_children; i++)
      {
        guint h = children[i].household;

        household_children[household_first_child[h] + fill[h]++] = i;
      }
  }

  /* Assessments: check each row once, note its groups, count per child. */
  assessments = g_new0 (Assessment, input->n_assessments + 1);
  facilitators = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < input->n_assessments; i++)
    {
      const ClmrsAssessmentRow *row = &input->assessments[i];
      Assessment *a = &assessments[i];
      const char *visit = S (row->visit_id);
      _ClmrsFinding finding;
      _ClmrsVisitKind kind;
      gboolean present;
      guint child;
      char month[8];

      child = GPOINTER_TO_UINT (row->child_id ? g_hash_table_lookup (child_ids, row->child_id) : NULL);
      if (child == 0)
        FAIL ("visit “%s”: child_id “%s” names no child", visit, S (row->child_id));
      if (!_clmrs_day_parse (row->date, &a->day))
        FAIL ("visit “%s”: date “%s” is not a YYYY-MM-DD date", visit, S (row->date));
      if (!_clmrs_visit_kind_parse (row->kind, &kind))
        FAIL ("visit “%s”: kind “%s” is not household, farm or follow_up", visit, S (row->kind));
      if (!_clmrs_finding_parse (row->status, &finding))
        FAIL ("visit “%s”: status “%s” is not a classification status", visit, row->status);
      if (!_clmrs_child_present_parse (row->child_status, &present))
        FAIL ("visit “%s”: child_status “%s” is not present, moved or lost", visit, row->child_status);
      if (row->in_school == NULL || row->in_school[0] == '\0')
        a->in_school = -1;
      else if (strcmp (row->in_school, "yes") == 0)
        a->in_school = 1;
      else if (strcmp (row->in_school, "no") == 0)
        a->in_school = 0;
      else
        FAIL ("visit “%s”: in_school “%s” is not yes or no", visit, row->in_school);

      a->child = child - 1;
      a->farm = kind == _CLMRS_VISIT_FARM;
      a->finding = present ? finding : _CLMRS_FINDING_NONE;
      a->proxy = row->proxy;
      if (a->day > day_today)
        {
          ignored_future++;
          a->finding = _CLMRS_FINDING_NONE;
        }
      a->in_period = a->day >= from_day && a->day <= to_day && a->day <= day_today &&
                     _CLMRS_FINDING_IN_SCOPE (a->finding);
      children[a->child].n_visits++;
      if (!a->in_period)
        continue;

      memcpy (month, row->date, 7);
      month[7] = '\0';
      a->group[DIM_ALL] = 0;
      a->group[DIM_COMMUNITY] = row->community != NULL && row->community[0] != '\0'
        ? dimension_intern (&dims[DIM_COMMUNITY], row->community)
        : household_community[children[a->child].household];
      a->group[DIM_FACILITATOR_SEX] = dimension_intern (&dims[DIM_FACILITATOR_SEX], row->facilitator_sex);
      a->group[DIM_MONTH] = dimension_intern (&dims[DIM_MONTH], month);
      a->group[DIM_CHILD_SEX] = children[a->child].group_sex;
      if (row->facilitator_id != NULL && row->facilitator_id[0] != '\0')
        g_hash_table_add (facilitators, (gpointer) row->facilitator_id);
      /* covered: an in-person visit with a child interview [S51] */
      if (!a->proxy && !household_covered[children[a->child].household])
        {
          household_covered[children[a->child].household] = TRUE;
          households_covered++;
        }
    }

  /* Each child's visits, contiguous and in input order (a counting sort). */
  order = g_new (guint, input->n_assessments + 1);
  case_visits = g_new0 (ClmrsCaseVisit, input->n_assessments + 1);
  {
    guint sum = 0;

    for (guint c = 0; c < input->n_children; c++)
      {
        children[c].first_visit = sum;
        sum += children[c].n_visits;
        max_visits = MAX (max_visits, children[c].n_visits);
        children[c].n_visits = 0;
      }
    for (guint i = 0; i < input->n_assessments; i++)
      {
        const ClmrsAssessmentRow *row = &input->assessments[i];
        Child *c = &children[assessments[i].child];
        guint k = c->first_visit + c->n_visits++;

        order[k] = i;
        case_visits[k] = (ClmrsCaseVisit) {
          row->date, row->kind, row->status, row->child_status,
          row->immediate_danger, row->age, row->in_school,
          row->hazard_since_last, row->alternative,
        };
      }
  }

  /* Supports: to a child, or to every child of a household. */
  support_day = g_new0 (guint32, input->n_supports + 1);
  support_target = g_new0 (int, input->n_supports + 1);
  targeted = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < input->n_supports; i++)
    {
      const ClmrsSupportRow *row = &input->supports[i];
      guint child = 0, household = 0;

      if (!_clmrs_day_parse (row->date, &support_day[i]))
        FAIL ("support %u: date “%s” is not a YYYY-MM-DD date", i, S (row->date));
      if (row->type == NULL || row->type[0] == '\0')
        FAIL ("support %u: type is missing", i);
      if (row->child_id != NULL && row->child_id[0] != '\0')
        {
          child = GPOINTER_TO_UINT (g_hash_table_lookup (child_ids, row->child_id));
          if (child == 0)
            FAIL ("support %u: child_id “%s” names no child", i, row->child_id);
        }
      else if (row->household_id != NULL && row->household_id[0] != '\0')
        {
          household = GPOINTER_TO_UINT (g_hash_table_lookup (household_ids, row->household_id));
          if (household == 0)
            FAIL ("support %u: household_id “%s” names no household", i, row->household_id);
        }
      support_target[i] = G_MININT;
      if (support_day[i] > day_today)
        {
          ignored_future++;
          continue;
        }
      if (child != 0)
        {
          support_target[i] = (int) child - 1;
          children[child - 1].n_supports++;
        }
      else if (household != 0)
        {
          support_target[i] = -(int) household;
          for (guint k = 0; k < household_n_children[household - 1]; k++)
            children[household_children[household_first_child[household - 1] + k]].n_supports++;
        }
      /* Households reached by targeted awareness, in the period. */
      if (strcmp (row->type, "awareness_targeted") == 0 &&
          support_day[i] >= from_day && support_day[i] <= to_day &&
          (child != 0 || household != 0))
        g_hash_table_add (targeted,
                          GUINT_TO_POINTER (child != 0 ? children[child - 1].household + 1 : household));
    }
  {
    guint sum = 0;

    for (guint c = 0; c < input->n_children; c++)
      {
        children[c].first_support = sum;
        sum += children[c].n_supports;
        children[c].n_supports = 0;
      }
    n_case_supports = sum;
    case_supports = g_new0 (ClmrsCaseSupport, n_case_supports + 1);
    for (guint i = 0; i < input->n_supports; i++)
      {
        ClmrsCaseSupport s = { input->supports[i].date, input->supports[i].type,
                               input->supports[i].state };
        int target = support_target[i];

        if (target == G_MININT)
          continue;
        if (target >= 0)
          {
            Child *c = &children[target];

            case_supports[c->first_support + c->n_supports++] = s;
          }
        else
          {
            guint h = (guint) (-target) - 1;

            for (guint k = 0; k < household_n_children[h]; k++)
              {
                Child *c = &children[household_children[household_first_child[h] + k]];

                case_supports[c->first_support + c->n_supports++] = s;
              }
          }
      }
  }

  /* Closures: each child's, contiguous (a counting sort). */
  {
    guint sum = 0;
    g_autofree int *closure_child = g_new (int, input->n_closures + 1);

    for (guint i = 0; i < input->n_closures; i++)
      {
        const ClmrsClosureRow *row = &input->closures[i];
        guint child = GPOINTER_TO_UINT (row->child_id ? g_hash_table_lookup (child_ids, row->child_id) : NULL);

        if (child == 0)
          FAIL ("closure %u: child_id “%s” names no child", i, S (row->child_id));
        closure_child[i] = (int) child - 1;
        children[child - 1].n_closures++;
      }
    for (guint c = 0; c < input->n_children; c++)
      {
        children[c].first_closure = sum;
        sum += children[c].n_closures;
        children[c].n_closures = 0;
      }
    case_closures = g_new0 (ClmrsCaseClosure, sum + 1);
    for (guint i = 0; i < input->n_closures; i++)
      {
        Child *c = &children[closure_child[i]];

        case_closures[c->first_closure + c->n_closures++] =
          (ClmrsCaseClosure) { input->closures[i].date, input->closures[i].reason };
      }
  }

  /* One pass over the children: groups and their case. */
  scratch_group = g_new (guint, max_visits + 1);
  scratch_sev = g_new (guint8, max_visits + 1);
  scratch_seen = g_new (guint8, max_visits + 1);
  support_days = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint c = 0; c < input->n_children; c++)
    {
      Child *child = &children[c];
      ClmrsCaseInput ci = {
        input->children[c].birth_date,
        &case_visits[child->first_visit], child->n_visits,
        &case_supports[child->first_support], child->n_supports,
        &case_closures[child->first_closure], child->n_closures,
      };
      ClmrsCase kase;
      g_autoptr(GError) local_error = NULL;
      guint32 first_day;

      if (!clmrs_case_evaluate (&ci, config, today, &kase, &local_error))
        FAIL ("child “%s”: %s", input->children[c].id, local_error->message);
      /* the same child as another record: counted there, not here (but
       * among the closures of the cohort) */
      if (kase.closed && kase.closure_reason == CLMRS_CLOSURE_DUPLICATE)
        {
          if (kase.ever_identified)
            {
              first_day = assessments[order[child->first_visit + kase.since_first.identification_visit]].day;
              closure_counts[CLMRS_CLOSURE_DUPLICATE] += first_day >= from_day && first_day <= to_day;
            }
          continue;
        }

      /* The child's worst finding in each group of each dimension, among
       * the visits where the child was interviewed; a group that saw the
       * child only through an adult's answers counts the child apart. */
      for (guint d = 0; d < N_DIMS; d++)
        {
          guint n_groups = 0;

          for (guint k = 0; k < child->n_visits; k++)
            {
              const Assessment *a = &assessments[order[child->first_visit + k]];
              guint8 sev;
              guint g;

              if (!a->in_period)
                continue;
              sev = a->finding == _CLMRS_FINDING_WORST_FORM ? SEV_WORST_FORM
                  : a->finding == _CLMRS_FINDING_HAZARDOUS ? SEV_HAZARDOUS
                  : a->finding == _CLMRS_FINDING_CHILD_LABOUR ? SEV_CL
                  : SEV_NOT_CL;
              for (g = 0; g < n_groups && scratch_group[g] != a->group[d]; g++)
                ;
              if (g == n_groups)
                {
                  scratch_group[n_groups] = a->group[d];
                  scratch_sev[n_groups] = sev;
                  scratch_seen[n_groups++] = !a->proxy;
                }
              else if (a->proxy == !scratch_seen[g])
                scratch_sev[g] = MAX (scratch_sev[g], sev);
              else if (!a->proxy)
                {
                  /* the first interview in the group: the proxy answers no longer count */
                  scratch_sev[g] = sev;
                  scratch_seen[g] = TRUE;
                }
            }
          for (guint g = 0; g < n_groups; g++)
            {
              GroupStats *s = &g_array_index (dims[d].stats, GroupStats, scratch_group[g]);

              if (scratch_seen[g])
                {
                  s->monitored++;
                  s->by_severity[scratch_sev[g]]++;
                }
              else
                {
                  s->proxy_only++;
                  s->proxy_only_identified += scratch_sev[g] != SEV_NOT_CL;
                }
            }
        }

      reconcile_supports (input, assessments, order, child, &case_supports[child->first_support],
                          &reconciled, &reconciled_matching, &reported_not_recorded, &recorded_not_reported);

      if (!kase.ever_identified)
        continue;
      g_assert (kase.since_first.identification_visit >= 0);
      first_day = assessments[order[child->first_visit + kase.since_first.identification_visit]].day;
      /* the stock of children currently covered [S51]: not a closed case */
      if (first_day <= to_day && !kase.closed)
        {
          ever_identified++;
          identified_at_farm += assessments[order[child->first_visit + kase.since_first.identification_visit]].farm;
        }
      if (first_day < from_day || first_day > to_day)
        continue;

      /* The cohort: children first identified in the period. */
      cohort++;
      status_counts[kase.status]++;
      supported1 += kase.since_first.n_support_types >= 1;
      supported2 += kase.since_first.n_support_types >= 2;
      supported4 += kase.since_first.n_support_types >= 4;
      if (kase.since_first.first_support_date[0] != '\0')
        {
          guint32 support;
          int days;

          if (!_clmrs_day_parse (kase.since_first.first_support_date, &support))
            g_assert_not_reached ();
          days = (int) support - (int) first_day;
          g_array_append_val (support_days, days);
        }
      if (kase.closed)
        closure_counts[kase.closure_reason]++;
      /* a case closed without an exit (died, moved away, ...) cannot be
       * followed up to its end: out of the follow-up and exit denominators */
      if (!kase.closed || kase.ever_exited)
        followable++;
      if (kase.since_first.first_support_date[0] != '\0')
        {
          GDate within;
          guint32 support;

          g_date_clear (&within, 1);
          g_date_set_julian (&within, first_day);
          clmrs_date_add_months (&within, 3);
          if (_clmrs_day_parse (kase.since_first.first_support_date, &support) &&
              support <= g_date_get_julian (&within))
            supported_3m++;
        }
      {
        const Assessment *at_id = &assessments[order[child->first_visit + kase.since_first.identification_visit]];

        if (at_id->finding >= _CLMRS_FINDING_HAZARDOUS && kase.since_first.n_follow_ups >= 1)
          {
            hazardous_followed++;
            hazardous_stopped += kase.since_first.first_follow_up_no_hazard;
          }
      }
      followed1 += kase.since_first.n_follow_ups >= 1;
      followed2 += kase.since_first.n_follow_ups >= 2;
      first_clean += kase.since_first.n_follow_ups >= 1 && kase.since_first.first_follow_up_clean;
      exited += kase.ever_exited;
      relapsed += kase.ever_relapsed;
      if (kase.since_first.last_follow_up_visit >= 0)
        {
          const Assessment *at_id = &assessments[order[child->first_visit + kase.since_first.identification_visit]];
          const Assessment *at_fu = &assessments[order[child->first_visit + kase.since_first.last_follow_up_visit]];

          if (at_id->in_school >= 0 && at_fu->in_school >= 0)
            {
              school_children++;
              school_before += at_id->in_school;
              school_after += at_fu->in_school;
            }
        }
    }

  /* Awareness sessions in the period. */
  levels = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < input->n_sessions; i++)
    {
      const ClmrsAwarenessRow *row = &input->sessions[i];
      guint32 day;
      guint count;

      if (!_clmrs_day_parse (row->date, &day))
        FAIL ("awareness session %u: date “%s” is not a YYYY-MM-DD date", i, S (row->date));
      if (row->household_id != NULL && row->household_id[0] != '\0' &&
          !g_hash_table_contains (household_ids, row->household_id))
        FAIL ("awareness session %u (%s): household_id “%s” names no household",
              i, row->date, row->household_id);
      if (day > day_today)
        {
          ignored_future++;
          continue;
        }
      if (day < from_day || day > to_day)
        continue;
      sessions++;
      men += row->men;
      women += row->women;
      boys += row->boys;
      girls += row->girls;
      count = GPOINTER_TO_UINT (g_hash_table_lookup (levels, row->level ? row->level : "unknown"));
      g_hash_table_insert (levels, (gpointer) (row->level ? row->level : "unknown"),
                           GUINT_TO_POINTER (count + 1));
      if (row->household_id != NULL && row->household_id[0] != '\0')
        g_hash_table_add (targeted, g_hash_table_lookup (household_ids, row->household_id));
    }

  /* The report. */
  b = json_builder_new ();
  json_builder_begin_object (b);
  {
    char text[11];

    _clmrs_day_format (day_today, text);
    json_builder_set_member_name (b, "today");
    json_builder_add_string_value (b, text);
  }
  json_builder_set_member_name (b, "period");
  json_builder_begin_object (b);
  add_nullable_string (b, "from", input->from);
  add_nullable_string (b, "to", input->to);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "case_config");
  json_builder_begin_object (b);
  add_int (b, "follow_up_months", config->follow_up_months);
  add_int (b, "overdue_grace_days", config->overdue_grace_days);
  add_int (b, "min_interval_months", config->min_interval_months);
  add_int (b, "max_interval_months", config->max_interval_months);
  add_int (b, "post_exit_months", config->post_exit_months);
  json_builder_end_object (b);
  add_int (b, "ignored_future_records", ignored_future);

  add_int (b, "households_covered", households_covered);
  add_identification (b, &g_array_index (dims[DIM_ALL].stats, GroupStats, 0));
  add_int (b, "children_ever_identified", ever_identified);
  add_int (b, "children_identified_at_farm_visits", identified_at_farm);
  add_int (b, "facilitators_active", g_hash_table_size (facilitators));

  json_builder_set_member_name (b, "cases");
  json_builder_begin_object (b);
  add_int (b, "cohort", cohort);
  add_ratio (b, "support_coverage", supported1, cohort);
  add_ratio (b, "multi_support_2", supported2, cohort);
  add_ratio (b, "multi_support_4", supported4, cohort);
  json_builder_set_member_name (b, "median_days_to_first_support");
  if (support_days->len == 0)
    json_builder_add_null_value (b);
  else
    {
      int *v = (int *) support_days->data;
      guint n = support_days->len;

      qsort (v, n, sizeof (int), compare_ints);
      json_builder_add_double_value (b, n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0);
    }
  add_ratio (b, "supported_within_3_months", supported_3m, cohort);
  add_int (b, "followable", followable);
  add_ratio (b, "follow_up_1", followed1, followable);
  add_ratio (b, "follow_up_2", followed2, followable);
  add_ratio (b, "stopped_at_first_follow_up", first_clean, followed1);
  add_ratio (b, "stopped_hazardous_at_first_follow_up", hazardous_stopped, hazardous_followed);
  add_ratio (b, "exited_of_two_follow_ups", exited, followed2);
  add_ratio (b, "exited_of_identified", exited, followable);
  add_ratio (b, "relapse", relapsed, exited);
  json_builder_set_member_name (b, "support_reconciliation");
  json_builder_begin_object (b);
  add_int (b, "follow_ups", reconciled);
  add_ratio (b, "matching", reconciled_matching, reconciled);
  add_int (b, "reported_not_recorded", reported_not_recorded);
  add_int (b, "recorded_not_reported", recorded_not_reported);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "school_participation");
  json_builder_begin_object (b);
  add_int (b, "children", school_children);
  add_ratio (b, "attending_at_identification", school_before, school_children);
  add_ratio (b, "attending_at_latest_follow_up", school_after, school_children);
  json_builder_set_member_name (b, "change_points");
  if (school_children == 0)
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, round (1000.0 * ((double) school_after - school_before)
                                             / school_children) / 10.0);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  for (guint s = 0; s < CLMRS_CASE_N_STATUSES; s++)
    if (s != CLMRS_CASE_NONE)
      add_int (b, clmrs_case_status_to_string (s), status_counts[s]);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "closed_by_reason");
  json_builder_begin_object (b);
  for (guint r = CLMRS_CLOSURE_DECEASED; r < CLMRS_CLOSURE_N_REASONS; r++)
    add_int (b, clmrs_closure_reason_to_string (r), closure_counts[r]);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "awareness");
  json_builder_begin_object (b);
  add_int (b, "sessions", sessions);
  json_builder_set_member_name (b, "sessions_by_level");
  json_builder_begin_object (b);
  {
    g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (levels, NULL);
    guint n = g_hash_table_size (levels);

    qsort (keys, n, sizeof (char *), compare_strings);
    for (guint i = 0; i < n; i++)
      add_int (b, keys[i], GPOINTER_TO_UINT (g_hash_table_lookup (levels, keys[i])));
  }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "participants");
  json_builder_begin_object (b);
  add_int (b, "men", men);
  add_int (b, "women", women);
  add_int (b, "boys", boys);
  add_int (b, "girls", girls);
  add_int (b, "male", (gint64) men + boys);
  add_int (b, "female", (gint64) women + girls);
  add_int (b, "adults", (gint64) men + women);
  add_int (b, "children", (gint64) boys + girls);
  add_int (b, "total", (gint64) men + women + boys + girls);
  json_builder_end_object (b);
  add_int (b, "households_targeted", g_hash_table_size (targeted));
  json_builder_end_object (b);

  json_builder_set_member_name (b, "breakdowns");
  json_builder_begin_object (b);
  for (guint d = DIM_COMMUNITY; d < N_DIMS; d++)
    {
      json_builder_set_member_name (b, dim_names[d]);
      add_breakdown (b, &dims[d]);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  result = json_builder_get_root (b);

out:
  for (guint d = 0; d < N_DIMS; d++)
    dimension_clear (&dims[d]);
  return result;
}
