/* demo-visits.c: the simulated programme visit by visit: a household's first visit, follow-ups, farm visits, closures, supports, awareness sessions and community profiles, each through its form, the store and the rules. */
#define G_LOG_DOMAIN "clmrs-demo"

#include "demo-private.h"

#include "util.h"
#include "visit.h"

#include <string.h>

/* Opens a session of @form with its hidden fields pre-filled. */
static ClmrsFormSession *
open_session (Demo        *demo,
              ClmrsForm   *form,
              Visit       *v,
              JsonObject  *extra,   /* (transfer full) (nullable): more prefill */
              GError     **error)
{
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(JsonNode) prefill = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = extra ? extra : json_object_new ();

  /* the visit starts now: the form's start preload reads the clock */
  _clmrs_demo_clock_at (demo, v->date);
  session = clmrs_form_session_new (form, error);
  if (session == NULL)
    return NULL;
  json_object_set_string_member (o, "facilitator_id", v->facilitator->id);
  json_object_set_string_member (o, "facilitator_name", v->facilitator->name);
  json_object_set_string_member (o, "facilitator_sex", v->facilitator->sex);
  json_node_take_object (prefill, o);
  if (!clmrs_form_session_load_json (session, prefill, error))
    return NULL;
  return g_steal_pointer (&session);
}

static const ClmrsRuleSet *
rules_for (Demo *demo, DemoCommunity *community)
{
  return g_str_equal (community->country, "ci") ? demo->rules_ci : demo->rules_gh;
}

/* Draft, fill and finalise one visit; the result describes the children. */
static ClmrsFinaliseResult *
run_visit (Demo              *demo,
           const char        *kind,
           ClmrsForm         *form,
           ClmrsFormSession  *session,
           Visit             *v,
           const char        *household_id,
           const char        *child_id,
           GError           **error)
{
  g_autofree char *visit_id = NULL;
  ClmrsFinaliseResult *result = NULL;

  _clmrs_demo_clock_advance (demo);
  visit_id = clmrs_store_draft_create (demo->store, kind, clmrs_form_get_id (form),
                                       clmrs_form_get_version (form), v->facilitator->id,
                                       v->community->id, household_id, child_id, error);
  if (visit_id == NULL)
    return NULL;
  if (demo->autosave)
    {
      /* what the session holds before the first answer: prefill, roster */
      g_autoptr(GPtrArray) values = clmrs_form_session_list_values (session);
      if (!clmrs_store_draft_save_all (demo->store, visit_id, values, error))
        return NULL;
    }
  if (!_clmrs_demo_fill (demo, session, visit_id, v->date, _clmrs_demo_answer_visit, v, error))
    return NULL;
  if (!clmrs_visit_finalise (demo->store, visit_id, session, rules_for (demo, v->community),
                             v->date, &result, error))
    return NULL;
  demo->report->records_queued += result->records_queued;
  if (g_rand_int_range (demo->rand, 0, 40) == 0)
    {
      DemoReviewable *reviewable = g_new0 (DemoReviewable, 1);

      reviewable->visit_id = g_strdup (visit_id);
      g_ptr_array_add (demo->reviewable, reviewable);
    }
  return result;
}

static gboolean
record_support (Demo        *demo,
                Visit       *parent,
                const char  *household_id,
                DemoChild   *child,
                const char  *type,
                const char  *date,
                GError     **error)
{
  const char *level = clmrs_support_type_level (type);
  Visit v = { .demo = demo, .date = date, .community = parent->community,
              .facilitator = parent->facilitator, .support_type = type };
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  JsonObject *support = json_object_new ();
  JsonObject *extra = json_object_new ();

  v.support_level = g_strcmp0 (level, "referral") == 0 ? "child" : level;
  json_object_set_string_member (support, "community_id", parent->community->id);
  json_object_set_string_member (support, "household_id", household_id);
  json_object_set_string_member (support, "child_id",
                                 child && g_str_equal (v.support_level, "child") ? child->id : "");
  json_object_set_object_member (extra, "support", support);
  session = open_session (demo, demo->support_form, &v, extra, error);
  if (session == NULL)
    return FALSE;
  result = run_visit (demo, "support", demo->support_form, session, &v, household_id,
                      child && g_str_equal (v.support_level, "child") ? child->id : NULL, error);
  if (result == NULL)
    return FALSE;
  demo->report->supports++;
  return TRUE;
}

/* Whether @type was recorded already on @date for @child (or, for a
 * household's support, @household_id): two visits' supports can fall on
 * the same day (the last day of the period above all), and the lists
 * showed the same support twice. */
static gboolean
support_given_on (Demo        *demo,
                  const char  *household_id,
                  const char  *child_id,
                  const char  *type,
                  const char  *date,
                  gboolean    *given,
                  GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (demo->store,
      "SELECT 1 FROM supports WHERE type = ?1 AND support_date = ?2 AND"
      " (CASE WHEN ?3 IS NULL THEN household_id = ?4 AND coalesce (child_id, '') = '' ELSE child_id = ?3 END)", error);
  ClmrsStep step;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, child_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, household_id, -1, SQLITE_TRANSIENT);
  step = clmrs_store_step (demo->store, stmt, error);
  if (step == CLMRS_STEP_ERROR)
    return FALSE;
  *given = step == CLMRS_STEP_ROW;
  return TRUE;
}

/* One to four supports from the rules' suggestions, within two months. */
static gboolean
support_children (Demo                *demo,
                  Visit               *v,
                  const char          *household_id,
                  ClmrsFinaliseResult *result,
                  GError             **error)
{
  gboolean household_helped = FALSE;

  for (guint i = 0; i < result->children->len; i++)
    {
      const ClmrsChildOutcome *o = g_ptr_array_index (result->children, i);
      DemoChild *child = NULL;
      guint n, wanted, start, given = 0;

      if (!clmrs_status_is_child_labour (o->status))
        continue;
      for (guint j = 0; v->children && j < v->children->len; j++)
        if (g_str_equal (((DemoChild *) g_ptr_array_index (v->children, j))->id, o->child_id))
          child = g_ptr_array_index (v->children, j);
      if (child == NULL && v->child != NULL && g_str_equal (v->child->id, o->child_id))
        child = v->child;
      if (child == NULL || g_rand_int_range (demo->rand, 0, 50) == 0)
        continue;  /* about 2% get no support: coverage is never 100% */

      /* each suggestion at most once, from a random one on: a new offset
       * at every step gave the same support twice, often the same day */
      n = o->suggestions ? g_strv_length (o->suggestions) : 0;
      if (n == 0)
        continue;
      wanted = g_rand_int_range (demo->rand, 1, 5);
      start = g_rand_int_range (demo->rand, 0, n);
      for (guint k = 0; k < n && given < wanted; k++)
        {
          const char *type = o->suggestions[(start + k) % n];
          const char *level = clmrs_support_type_level (type);
          g_autofree char *date = NULL;
          gboolean already;
          GDate on;

          if (level == NULL || g_str_equal (level, "community") ||
              (g_str_equal (level, "household") && household_helped))
            continue;
          clmrs_date_parse (v->date, &on);
          g_date_add_days (&on, g_rand_int_range (demo->rand, 0, 60));
          if (g_date_compare (&on, &demo->until) > 0)
            on = demo->until;
          date = clmrs_date_format (&on);
          if (!support_given_on (demo, household_id, g_str_equal (level, "household") ? NULL : child->id,
                                 type, date, &already, error))
            return FALSE;
          if (already)
            continue;
          if (!record_support (demo, v, household_id, child, type, date, error))
            return FALSE;
          household_helped |= g_str_equal (level, "household");
          given++;
        }
    }
  return TRUE;
}

ClmrsFinaliseResult *
_clmrs_demo_household_visit (Demo           *demo,
                 DemoCommunity  *community,
                 const char     *household_id,
                 const char     *head_name,
                 const char     *head_sex,
                 GPtrArray      *children,
                 gboolean        known_children,
                 const char     *date,
                 GError        **error)
{
  Visit v = { .demo = demo, .date = date, .community = community,
              .facilitator = g_ptr_array_index (demo->facilitators, community->facilitator),
              .head_name = head_name, .head_sex = head_sex, .children = children };
  g_autoptr(ClmrsFormSession) session = NULL;
  JsonObject *extra = json_object_new ();
  JsonObject *household = json_object_new ();
  ClmrsFinaliseResult *result;

  json_object_set_string_member (household, "household_id", household_id ? household_id : "");
  json_object_set_string_member (household, "community_id", community->id);
  json_object_set_object_member (extra, "household", household);
  if (known_children)
    {
      JsonArray *roster = json_array_new ();
      JsonObject *wrapper = json_object_new ();

      for (guint i = 0; i < children->len; i++)
        {
          JsonObject *c = json_object_new ();
          json_object_set_string_member (c, "child_id", ((DemoChild *) g_ptr_array_index (children, i))->id);
          json_array_add_object_element (roster, c);
        }
      json_object_set_array_member (wrapper, "child", roster);
      json_object_set_object_member (extra, "children", wrapper);
    }
  session = open_session (demo, demo->household_form, &v, extra, error);
  if (session == NULL)
    return NULL;
  if (!known_children)
    for (guint i = 0; i < children->len; i++)
      {
        g_autofree char *ref = clmrs_form_session_add_repeat (session, "/household_visit/children/child", error);
        if (ref == NULL)
          return NULL;
      }
  result = run_visit (demo, "household", demo->household_form, session, &v, household_id, NULL, error);
  if (result == NULL)
    return NULL;
  demo->report->household_visits++;
  /* the store gave new children their ids */
  for (guint i = 0; i < result->children->len && i < children->len; i++)
    {
      DemoChild *c = g_ptr_array_index (children, i);
      const ClmrsChildOutcome *o = g_ptr_array_index (result->children, i);

      if (c->id == NULL)
        c->id = g_strdup (o->child_id);
    }
  if (!support_children (demo, &v, result->household_id, result, error))
    {
      clmrs_finalise_result_free (result);
      return NULL;
    }
  return result;
}

/* At each follow-up about half stop; a few relapse; a few move away. */
static void
evolve (Demo *demo, DemoChild *c)
{
  GRand *r = demo->rand;

  if (c->work >= WORK_UNDERAGE)
    {
      if (g_rand_int_range (r, 0, 100) < 50)
        c->work = g_rand_boolean (r) ? WORK_NONE : WORK_LIGHT;
    }
  else if (g_rand_int_range (r, 0, 100) < 8)
    c->work = g_rand_boolean (r) ? WORK_HAZARDOUS : WORK_UNDERAGE;
  c->in_school = c->in_school || g_rand_int_range (r, 0, 3) == 0;
  if (g_str_equal (c->birth_certificate, "in_process"))
    c->birth_certificate = "yes";
}

/* A visit about one known child (a follow-up, a closure), the child
 * pre-filled as the app does. */
static ClmrsFinaliseResult *
run_child_visit (Demo        *demo,
                 const char  *kind,
                 ClmrsForm   *form,
                 Visit       *v,
                 const char  *household_id,
                 DemoChild   *child,
                 GError     **error)
{
  g_autoptr(ClmrsFormSession) session = NULL;
  JsonObject *extra = json_object_new ();
  JsonObject *c = json_object_new ();

  json_object_set_string_member (c, "child_id", child->id);
  json_object_set_string_member (c, "household_id", household_id);
  json_object_set_string_member (c, "name", child->name);
  json_object_set_object_member (extra, "child", c);
  session = open_session (demo, form, v, extra, error);
  if (session == NULL)
    return NULL;
  return run_visit (demo, kind, form, session, v, household_id, child->id, error);
}

static gboolean
follow_up (Demo          *demo,
           DemoCommunity *community,
           const char    *household_id,
           DemoChild     *child,
           const char    *date,
           GError       **error)
{
  Visit v = { .demo = demo, .date = date, .community = community,
              .facilitator = g_ptr_array_index (demo->facilitators, community->facilitator),
              .child = child };
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  int roll = g_rand_int_range (demo->rand, 0, 100);

  v.child_status = roll < 2 ? "moved" : roll < 3 ? "lost" : "present";
  child->moved = g_str_equal (v.child_status, "moved");
  if (!g_str_equal (v.child_status, "present"))
    child->gone = TRUE;
  else if (!child->back_at_work)
    evolve (demo, child);
  child->back_at_work = FALSE;

  result = run_child_visit (demo, "follow_up", demo->follow_up_form, &v, household_id, child, error);
  if (result == NULL)
    return FALSE;
  demo->report->follow_ups++;
  for (guint i = 0; i < result->children->len; i++)
    {
      const ClmrsChildOutcome *o = g_ptr_array_index (result->children, i);

      if (clmrs_status_is_child_labour (o->status))
        {
          child->clean_run = 0;
          child->exited = FALSE;
        }
      else if (++child->clean_run >= 2)
        child->exited = TRUE;
    }
  return support_children (demo, &v, household_id, result, error);
}

/* The case of a child who moved away for good is closed (case_closure.xml). */
static gboolean
close_case (Demo          *demo,
            DemoCommunity *community,
            const char    *household_id,
            DemoChild     *child,
            const char    *date,
            GError       **error)
{
  Visit v = { .demo = demo, .date = date, .community = community,
              .facilitator = g_ptr_array_index (demo->facilitators, community->facilitator),
              .closure_reason = "moved_out" };
  g_autoptr(ClmrsFinaliseResult) result = NULL;

  result = run_child_visit (demo, "closure", demo->closure_form, &v, household_id, child, error);
  if (result == NULL)
    return FALSE;
  demo->report->closures++;
  return TRUE;
}

/* A farm visit (farm_visit.xml) of the household's farm a few weeks after
 * its first visit: the facilitator finds @found at work there, among them
 * the children the adults said did no work, and identifies them as ICI's
 * farm visits do; each child's outcome is marked on the child. */
gboolean
_clmrs_demo_farm_visit (Demo          *demo,
            DemoCommunity *community,
            const char    *household_id,
            GPtrArray     *found,
            const char    *date,
            GError       **error)
{
  Visit v = { .demo = demo, .date = date, .community = community,
              .facilitator = g_ptr_array_index (demo->facilitators, community->facilitator),
              .children = found, .at_farm = TRUE };
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;

  session = open_session (demo, demo->farm_form, &v, NULL, error);
  if (session == NULL)
    return FALSE;
  for (guint i = 0; i < found->len; i++)
    {
      g_autofree char *ref = clmrs_form_session_add_repeat (session, "/farm_visit/children/child", error);

      if (ref == NULL)
        return FALSE;
      ((DemoChild *) g_ptr_array_index (found, i))->here = TRUE;
    }
  result = run_visit (demo, "farm", demo->farm_form, session, &v, household_id, NULL, error);
  if (result == NULL)
    return FALSE;
  demo->report->farm_visits++;
  for (guint i = 0; i < result->children->len && i < found->len; i++)
    {
      const ClmrsChildOutcome *o = g_ptr_array_index (result->children, i);
      DemoChild *c = g_ptr_array_index (found, i);

      c->identified |= clmrs_status_is_child_labour (o->status);
      c->hidden_at_home = FALSE;
    }
  return support_children (demo, &v, household_id, result, error);
}

DemoChild *
_clmrs_demo_new_child (Demo *demo, const char *country, const char *surname, const GDate *visit)
{
  DemoChild *c = g_new0 (DemoChild, 1);
  GRand *r = demo->rand;
  int age = g_rand_int_range (r, 0, 100) < 8 ? g_rand_int_range (r, 2, 5)
          : g_rand_int_range (r, 0, 100) < 4 ? g_rand_int_range (r, 18, 20)
          : g_rand_int_range (r, 5, 18);
  int roll = g_rand_int_range (r, 0, 1000);

  c->sex = g_rand_boolean (r) ? "male" : "female";
  c->name = _clmrs_demo_person_name (demo, country, c->sex, surname);
  c->dob = *visit;
  g_date_subtract_years (&c->dob, age);
  g_date_subtract_days (&c->dob, g_rand_int_range (r, 1, 364));
  c->in_school = g_rand_int_range (r, 0, 100) < 78;
  c->birth_certificate = g_rand_int_range (r, 0, 100) < 70 ? "yes" : g_rand_boolean (r) ? "no" : "in_process";
  /* NORC 2018/19: about 45% in child labour, nearly all of it hazardous */
  if (age < 5 || age > 17)
    c->work = WORK_NONE;
  else if (roll < 4)
    c->work = WORK_WORST;
  else if (roll < 380)
    c->work = WORK_HAZARDOUS;
  else if (roll < 450)
    c->work = WORK_UNDERAGE;
  else if (roll < 650 && age >= 13)
    c->work = WORK_LIGHT;
  else
    c->work = WORK_NONE;
  return c;
}

/* A household's two years: identification, supports, follow-ups, revisit. */
static gboolean
name_taken (GPtrArray  *children,
            const char *head_name,
            const char *name)
{
  if (g_str_equal (head_name, name))
    return TRUE;
  for (guint i = 0; i < children->len; i++)
    if (g_str_equal (((DemoChild *) g_ptr_array_index (children, i))->name, name))
      return TRUE;
  return FALSE;
}

gboolean
_clmrs_demo_simulate_household (Demo          *demo,
                    DemoCommunity *community,
                    GError       **error)
{
  GRand *r = demo->rand;
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (_clmrs_demo_child_free);
  const char *head_sex = g_rand_int_range (r, 0, 100) < 80 ? "male" : "female";
  g_autofree char *head_name = _clmrs_demo_person_name (demo, community->country, head_sex, NULL);
  g_autofree char *surname = g_strdup (head_name);
  g_autofree char *first_date = NULL;
  g_autofree char *household_id = NULL;
  g_autoptr(ClmrsFinaliseResult) first = NULL;
  guint n_children = g_rand_int_range (r, 1, 6);
  gboolean farm;
  GDate visit;

  *strchr (surname, ' ') = '\0';
  if (g_str_equal (community->country, "gh"))
    {
      g_free (surname);
      surname = g_strdup (strrchr (head_name, ' ') + 1);
    }
  visit = demo->start;
  g_date_add_days (&visit, g_rand_int_range (r, 0, 180));
  first_date = clmrs_date_format (&visit);
  for (guint i = 0; i < n_children; i++)
    {
      DemoChild *child = _clmrs_demo_new_child (demo, community->country, surname, &visit);

      /* brothers and sisters have different first names (a few tries: the
       * lists are long enough) */
      for (guint tries = 0; tries < 8 && name_taken (children, head_name, child->name); tries++)
        {
          g_free (child->name);
          child->name = _clmrs_demo_person_name (demo, community->country, child->sex, surname);
        }
      g_ptr_array_add (children, child);
    }

  /* two households in five get a farm visit; there the adults keep half
   * the working children out of the household visit ("no work"), so
   * farm visits make about a fifth of the identifications, as in ICI's
   * cooperatives [S45] */
  farm = g_rand_int_range (r, 0, 5) < 2;
  for (guint i = 0; farm && i < children->len; i++)
    {
      DemoChild *c = g_ptr_array_index (children, i);

      c->hidden_at_home = c->work >= WORK_UNDERAGE && g_rand_boolean (r);
    }
  first = _clmrs_demo_household_visit (demo, community, NULL, head_name, head_sex, children, FALSE, first_date, error);
  if (first == NULL)
    return FALSE;
  household_id = g_strdup (first->household_id);
  demo->report->households++;
  demo->report->children += children->len;
  for (guint i = 0; i < first->children->len; i++)
    {
      const ClmrsChildOutcome *o = g_ptr_array_index (first->children, i);
      ((DemoChild *) g_ptr_array_index (children, i))->identified = clmrs_status_is_child_labour (o->status);
    }

  /* the farm visit, two to six weeks later: the children at work there */
  if (farm)
    {
      g_autoptr(GPtrArray) found = g_ptr_array_new ();
      GDate on = visit;
      g_autofree char *date = NULL;

      g_date_add_days (&on, g_rand_int_range (r, 14, 43));
      for (guint i = 0; i < children->len; i++)
        {
          DemoChild *c = g_ptr_array_index (children, i);
          int age = _clmrs_demo_age_at (c, first_date);

          if (c->work != WORK_NONE && age >= 5 && age <= 17)
            g_ptr_array_add (found, c);
        }
      date = clmrs_date_format (&on);
      if (found->len > 0 && g_date_compare (&on, &demo->until) <= 0 &&
          !_clmrs_demo_farm_visit (demo, community, household_id, found, date, error))
        return FALSE;
    }

  /* follow-ups of the identified children, every ~6 months; one in
   * twelve comes a season late (a missed window: the run restarts); after
   * an exit, a visit a year until 18, or after six months for one child in
   * five found back at work (a relapse, reported by the community); a move
   * away closes the case most times */
  for (guint i = 0; i < children->len; i++)
    {
      DemoChild *c = g_ptr_array_index (children, i);
      GDate next = visit;

      if (!c->identified)
        continue;
      for (;;)
        {
          g_autofree char *date = NULL;

          /* back at work: the community tells the facilitator, who comes early */
          c->back_at_work = c->exited && g_rand_int_range (r, 0, 5) == 0;
          g_date_add_months (&next, c->back_at_work ? 6 : c->exited ? 12
                                    : g_rand_int_range (r, 0, 12) == 0 ? 10 : 6);
          g_date_add_days (&next, g_rand_int_range (r, 0, 40));
          if (g_date_compare (&next, &demo->until) > 0 ||
              _clmrs_demo_age_at (c, date = clmrs_date_format (&next)) >= 18)
            break;
          if (c->gone)
            {
              if (c->moved && g_rand_int_range (r, 0, 3) > 0 &&
                  !close_case (demo, community, household_id, c, date, error))
                return FALSE;
              break;
            }
          if (c->back_at_work)
            c->work = WORK_HAZARDOUS;
          if (!follow_up (demo, community, household_id, c, date, error))
            return FALSE;
        }
    }

  /* a third of households are visited again about a year later */
  if (g_rand_int_range (r, 0, 3) == 0)
    {
      GDate again = visit;
      g_autofree char *date = NULL;
      g_autoptr(ClmrsFinaliseResult) second = NULL;

      g_date_add_months (&again, 12);
      g_date_add_days (&again, g_rand_int_range (r, 0, 60));
      if (g_date_compare (&again, &demo->until) <= 0)
        {
          g_autoptr(GPtrArray) present = g_ptr_array_new ();

          date = clmrs_date_format (&again);
          for (guint i = 0; i < children->len; i++)
            {
              DemoChild *c = g_ptr_array_index (children, i);
              if (!c->gone)
                {
                  evolve (demo, c);
                  g_ptr_array_add (present, c);
                }
            }
          if (present->len > 0)
            {
              second = _clmrs_demo_household_visit (demo, community, household_id, head_name, head_sex,
                                        present, TRUE, date, error);
              if (second == NULL)
                return FALSE;
            }
        }
    }
  return TRUE;
}

gboolean
_clmrs_demo_awareness_session (Demo          *demo,
                   DemoCommunity *community,
                   const char    *date,
                   GError       **error)
{
  Visit v = { .demo = demo, .date = date, .community = community,
              .facilitator = g_ptr_array_index (demo->facilitators, community->facilitator) };
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  JsonObject *extra = json_object_new ();
  JsonObject *s = json_object_new ();
  const char *levels[] = { "community", "community", "school" };
  char *counts[4] = { NULL };
  const char *names[] = { "men", "women", "boys", "girls" };

  json_object_set_string_member (s, "community_id", community->id);
  json_object_set_object_member (extra, "session", s);
  session = open_session (demo, demo->awareness_form, &v, extra, error);
  if (session == NULL)
    return FALSE;
  v.support_level = levels[g_rand_int_range (demo->rand, 0, G_N_ELEMENTS (levels))];
  /* participants are answered first so the total constraint holds */
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *ref = g_strdup_printf ("/awareness_session/session/participants/%s", names[i]);
      gboolean school = g_str_equal (v.support_level, "school");

      counts[i] = g_strdup_printf ("%d", g_rand_int_range (demo->rand, school && i < 2 ? 0 : 3,
                                                             school && i < 2 ? 3 : 30));
      if (!clmrs_form_session_set_answer (session, ref, counts[i], error))
        return FALSE;
    }
  for (guint i = 0; i < 4; i++)
    g_free (counts[i]);
  result = run_visit (demo, "awareness", demo->awareness_form, session, &v, NULL, NULL, error);
  if (result == NULL)
    return FALSE;
  demo->report->awareness_sessions++;
  return TRUE;
}

gboolean
_clmrs_demo_community_profile (Demo          *demo,
                   DemoCommunity *community,
                   GError       **error)
{
  g_autofree char *date = clmrs_date_format (&demo->start);
  Visit v = { .demo = demo, .date = date, .community = community,
              .facilitator = g_ptr_array_index (demo->facilitators, community->facilitator) };
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  JsonObject *extra = json_object_new ();
  JsonObject *c = json_object_new ();

  json_object_set_string_member (c, "community_id", community->id);
  json_object_set_string_member (c, "name", community->name);
  json_object_set_string_member (c, "district", community->district);
  json_object_set_string_member (c, "country", community->country);
  json_object_set_string_member (c, "cooperative",
                                 g_str_equal (community->country, "ci") ? "SCOOP Soubré Espoir" : "Kuapa Kokoo society");
  json_object_set_object_member (extra, "community", c);
  session = open_session (demo, demo->community_form, &v, extra, error);
  if (session == NULL)
    return FALSE;
  result = run_visit (demo, "community", demo->community_form, session, &v, NULL, NULL, error);
  return result != NULL;
}
