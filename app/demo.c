/* demo.c: realistic synthetic CLMRS data, made through the same forms, rules and store. */
#define G_LOG_DOMAIN "clmrs-demo"

#include "demo.h"
#include "demo-private.h"

#include "casebook.h"
#include "review.h"
#include "util.h"

#include <string.h>

/*
 * The simulation.  Communities (about 150 households each) are split
 * between Côte d'Ivoire and Ghana and classified with their country's rule
 * set.  Each household is visited once in the first six months of the
 * period (and again a year later for a third of them); each child gets a
 * persona whose work pattern follows the published cocoa figures (about
 * 45% in child labour [S37], [S39], most of it hazardous:
 * heavy loads, sharp tools, land clearing, agro-chemicals).  Children found
 * in child labour get one to four supports chosen from the rules'
 * suggestions within two months, and a follow-up about every six months;
 * at each follow-up about half of them have stopped (ICI: "up to 50%"),
 * some relapse, a few have moved.  Every record goes through the shipped
 * forms (clmrs_form_session_set_answer), the store and the rules, exactly
 * as on a facilitator's device.
 */

static const char * const ci_first_m[] = { "Kouassi", "Yao", "Konan", "Koffi", "Kouadio", "N'Guessan", "Adama", "Moussa", "Seydou", "Ibrahim", "Drissa", "Lassina", "Brou", "Kra", "Aka" };
static const char * const ci_first_f[] = { "Aya", "Amenan", "Affoué", "Akissi", "Adjoua", "Amoin", "Awa", "Fatoumata", "Mariam", "Aminata", "Ahou", "Tanoh", "Mawa", "Salimata", "Kadi" };
static const char * const ci_last[] = { "Kouamé", "Konan", "Yao", "Kouassi", "N'Dri", "Koné", "Traoré", "Ouattara", "Coulibaly", "Bamba", "Gnahoré", "Zadi", "Gbagbo", "Djédjé", "Aka", "Tiémoko" };
static const char * const gh_first_m[] = { "Kwame", "Kofi", "Kwabena", "Kwaku", "Yaw", "Kwasi", "Kojo", "Nana", "Kwadwo", "Ebo", "Fiifi", "Kobina", "Yeboah", "Osei", "Mensah" };
static const char * const gh_first_f[] = { "Ama", "Akua", "Abena", "Adwoa", "Yaa", "Afua", "Esi", "Akosua", "Efua", "Adjoa", "Araba", "Maame", "Afia", "Serwaa", "Dede" };
static const char * const gh_last[] = { "Mensah", "Owusu", "Boateng", "Asante", "Osei", "Agyei", "Appiah", "Adjei", "Darko", "Amponsah", "Frimpong", "Ofori", "Kyei", "Sarpong", "Acheampong", "Opoku" };
static const char * const ci_places[] = { "Kragui", "Djouroutou", "Méagui", "Buyo", "Gueyo", "Okrouyo", "Zakoua", "Niablé", "Daloa-Gbeuliville", "Bonon", "Bouaflé", "Gagnoa-Ouragahio", "Lakota", "Divo-Hiré", "Sassandra-Lobakuya", "San-Pédro-Grand-Béréby" };
static const char * const gh_places[] = { "Asankragwa", "Samreboi", "Bogoso", "Wassa Akropong", "Juaboso", "Sefwi Bekwai", "Enchi", "Bibiani", "Nkawkaw", "Goaso", "Kukuom", "Dunkwa", "Assin Fosu", "Twifo Praso", "Akim Oda", "Konongo" };
static const char * const ci_districts[] = { "Soubré", "Méagui", "Daloa", "Gagnoa", "Divo", "San-Pédro" };
static const char * const gh_districts[] = { "Wassa Amenfi West", "Prestea Huni-Valley", "Juaboso", "Bia West", "Asunafo North", "Upper Denkyira East" };

static void
demo_reviewable_free (DemoReviewable *reviewable)
{
  g_free (reviewable->visit_id);
  g_free (reviewable);
}

/* --- people, places and time --- */

void
_clmrs_demo_child_free (gpointer data)
{
  DemoChild *c = data;

  g_free (c->id);
  g_free (c->name);
  g_free (c);
}

static void
demo_community_free (gpointer data)
{
  DemoCommunity *c = data;

  g_free (c->id);
  g_free (c->name);
  g_free (c);
}

static void
demo_person_free (gpointer data)
{
  DemoPerson *p = data;

  g_free (p->id);
  g_free (p->name);
  g_free (p);
}

char *
_clmrs_demo_person_name (Demo *demo, const char *country, const char *sex, const char *surname)
{
  gboolean ci = g_str_equal (country, "ci");
  const char *first = g_str_equal (sex, "female")
                      ? (ci ? PICK (demo->rand, ci_first_f) : PICK (demo->rand, gh_first_f))
                      : (ci ? PICK (demo->rand, ci_first_m) : PICK (demo->rand, gh_first_m));

  if (surname == NULL)
    surname = ci ? PICK (demo->rand, ci_last) : PICK (demo->rand, gh_last);
  return ci ? g_strdup_printf ("%s %s", surname, first) : g_strdup_printf ("%s %s", first, surname);
}

/* Sets the fake clock to @when, never later than the real now. */
static void
clock_set (Demo *demo, gint64 when)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) t = NULL;
  g_autofree char *stamp = NULL;

  /* a visit of today happened before the demo was made, not this evening */
  demo->clock = MIN (when, g_date_time_to_unix (now) - 60);
  t = g_date_time_new_from_unix_utc (demo->clock);
  stamp = g_date_time_format (t, "%Y-%m-%dT%H:%M:%SZ");
  clmrs_clock_set (stamp);
}

/* Sets the clock to a working hour of @date (a visit begins). */
void
_clmrs_demo_clock_at (Demo *demo, const char *date)
{
  g_autofree char *stamp = g_strdup_printf ("%sT%02d:%02d:%02dZ", date,
                                            g_rand_int_range (demo->rand, 7, 17),
                                            g_rand_int_range (demo->rand, 0, 60),
                                            g_rand_int_range (demo->rand, 0, 60));
  g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (stamp, NULL);

  g_assert (t != NULL);
  clock_set (demo, g_date_time_to_unix (t));
}

/* Moves the clock on by the time a visit takes (it ends). */
void
_clmrs_demo_clock_advance (Demo *demo)
{
  clock_set (demo, demo->clock + 60 * g_rand_int_range (demo->rand, 12, 55) + g_rand_int_range (demo->rand, 0, 60));
}

char *
clmrs_demo_facilitator_pin (guint index)
{
  return g_strdup_printf ("%06u", 100000 + index * 11111 % 900000);
}

/* --- visits --- */

/* The meta key that marks demo data, and its value. */
#define DEMO_META_KEY "demo_data"
#define DEMO_META_VALUE "clmrs demo"

gboolean
clmrs_demo_store_is_demo (ClmrsStore *store)
{
  g_autofree char *mark = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  /* unreadable: not known to be demo data, so treated as a device's own */
  if (!clmrs_store_get_meta (store, DEMO_META_KEY, &mark, &error))
    g_warning ("Could not tell whether %s holds demo data: %s", clmrs_store_get_path (store), error->message);
  return g_strcmp0 (mark, DEMO_META_VALUE) == 0;
}

/* How many records @store holds: people and places too, so a device set
 * up with `clmrs init` counts as a real one. */
static gint64
count_records (ClmrsStore  *store,
               GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "SELECT (SELECT count (*) FROM communities) + (SELECT count (*) FROM facilitators)"
      " + (SELECT count (*) FROM households) + (SELECT count (*) FROM children)"
      " + (SELECT count (*) FROM visits) + (SELECT count (*) FROM outbox)", error);
  gint64 n = -1;

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE, "counting the records: %s",
                 sqlite3_errmsg (clmrs_store_get_db (store)));
  sqlite3_finalize (stmt);
  return n;
}

/* Demo data never mixes with a device's own: a record made up next to a
 * real child's would be counted, followed up and sent as one. */
static gboolean
check_can_hold_demo (ClmrsStore  *store,
                     GError     **error)
{
  g_autofree char *token = NULL;
  g_autofree char *server_device = NULL;
  gint64 n;

  if (!clmrs_store_get_meta (store, "sync_token", &token, error) ||
      !clmrs_store_get_meta (store, "server_device_id", &server_device, error))
    return FALSE;
  if ((token != NULL && *token != '\0') || server_device != NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                   "%s is enrolled with a server: demo data never goes into a device's database "
                   "(make it in a new one: clmrs --db demo.db demo)", clmrs_store_get_path (store));
      return FALSE;
    }
  n = count_records (store, error);
  if (n < 0)
    return FALSE;
  if (n > 0)
    {
      if (clmrs_demo_store_is_demo (store))
        g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                     "%s already holds demo data: demo data goes into a new database",
                     clmrs_store_get_path (store));
      else
        g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                     "%s holds records that are not demo data: demo data goes into a new database",
                     clmrs_store_get_path (store));
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_assets (Demo *demo, GError **error)
{
  return (demo->household_form = clmrs_form_load_builtin ("household_visit", error)) != NULL &&
         (demo->follow_up_form = clmrs_form_load_builtin ("follow_up_visit", error)) != NULL &&
         (demo->closure_form = clmrs_form_load_builtin ("case_closure", error)) != NULL &&
         (demo->farm_form = clmrs_form_load_builtin ("farm_visit", error)) != NULL &&
         (demo->support_form = clmrs_form_load_builtin ("support_record", error)) != NULL &&
         (demo->awareness_form = clmrs_form_load_builtin ("awareness_session", error)) != NULL &&
         (demo->community_form = clmrs_form_load_builtin ("community_profile", error)) != NULL &&
         (demo->rules_ci = clmrs_rule_set_load_builtin ("ci", error)) != NULL &&
         (demo->rules_gh = clmrs_rule_set_load_builtin ("gh", error)) != NULL;
}

/* What load_assets() loaded: one list, so a form added there is freed
 * on every path (the closure form leaked from clmrs_demo_household_visit). */
static void
free_assets (Demo *demo)
{
  g_clear_pointer (&demo->household_form, clmrs_form_unref);
  g_clear_pointer (&demo->follow_up_form, clmrs_form_unref);
  g_clear_pointer (&demo->closure_form, clmrs_form_unref);
  g_clear_pointer (&demo->farm_form, clmrs_form_unref);
  g_clear_pointer (&demo->support_form, clmrs_form_unref);
  g_clear_pointer (&demo->awareness_form, clmrs_form_unref);
  g_clear_pointer (&demo->community_form, clmrs_form_unref);
  g_clear_pointer (&demo->rules_ci, clmrs_rule_set_free);
  g_clear_pointer (&demo->rules_gh, clmrs_rule_set_free);
}

static gboolean
make_people_and_places (Demo *demo, guint n_communities, GError **error)
{
  guint n_facilitators = MAX (2, (n_communities + 1) / 2);

  if (!clmrs_store_begin (demo->store, error))
    return FALSE;
  for (guint i = 0; i < n_facilitators; i++)
    {
      DemoPerson *p = g_new0 (DemoPerson, 1);
      const char *country = i % 2 == 0 ? "ci" : "gh";
      g_autofree char *pin = clmrs_demo_facilitator_pin (i);

      p->id = clmrs_uuid_new ();
      /* ICI: women are a small minority of agents, and identify more cases */
      p->sex = i % 4 == 1 ? "female" : "male";
      p->name = _clmrs_demo_person_name (demo, country, p->sex, NULL);
      g_ptr_array_add (demo->facilitators, p);
      if (!clmrs_store_add_facilitator (demo->store, p->id, p->name, p->sex, "facilitator", pin, error))
        goto fail;
    }
  demo->supervisor.id = clmrs_uuid_new ();
  demo->supervisor.sex = "female";
  demo->supervisor.name = g_strdup ("Adjoua Kouamé");
  if (!clmrs_store_add_facilitator (demo->store, demo->supervisor.id, demo->supervisor.name, "female",
                                    "supervisor", CLMRS_DEMO_SUPERVISOR_PIN, error))
    goto fail;

  for (guint i = 0; i < n_communities; i++)
    {
      DemoCommunity *c = g_new0 (DemoCommunity, 1);
      gboolean ci = i % 2 == 0;
      const char *base = ci ? ci_places[(i / 2) % G_N_ELEMENTS (ci_places)]
                            : gh_places[(i / 2) % G_N_ELEMENTS (gh_places)];

      c->id = clmrs_uuid_new ();
      c->name = i / 2 < G_N_ELEMENTS (ci_places) ? g_strdup (base)
                : g_strdup_printf ("%s %u", base, i / 2 / (guint) G_N_ELEMENTS (ci_places) + 1);
      c->country = ci ? "ci" : "gh";
      c->district = ci ? ci_districts[(i / 2) % G_N_ELEMENTS (ci_districts)]
                       : gh_districts[(i / 2) % G_N_ELEMENTS (gh_districts)];
      /* facilitators work in their own country */
      c->facilitator = (i / 2 * 2 + (ci ? 0 : 1)) % n_facilitators;
      if (!ci && c->facilitator % 2 == 0)
        c->facilitator = (c->facilitator + 1) % n_facilitators;
      g_ptr_array_add (demo->communities, c);
      if (!clmrs_store_add_community (demo->store, c->id, c->name, c->district, c->country, error))
        goto fail;
    }
  demo->report->communities = n_communities;
  demo->report->facilitators = n_facilitators + 1;
  return clmrs_store_commit (demo->store, error);

fail:
  clmrs_store_rollback (demo->store);
  return FALSE;
}

static gboolean
supervise (Demo *demo, GError **error)
{
  static const char * const messages_en[] = {
    "The age of the second child does not match the date of birth: please check with the household.",
    "Hours of work look too high for a school week: please confirm with the child.",
    "Consent reason missing: please ask the household head again.",
  };
  static const char * const messages_fr[] = {
    "L’âge du deuxième enfant ne correspond pas à sa date de naissance : vérifiez avec le ménage.",
    "Les heures de travail semblent trop élevées pour une semaine d’école : confirmez avec l’enfant.",
    "La raison du refus manque : redemandez au chef de ménage.",
  };
  G_STATIC_ASSERT (G_N_ELEMENTS (messages_en) == G_N_ELEMENTS (messages_fr));

  for (guint i = 0; i < demo->reviewable->len; i++)
    {
      DemoReviewable *reviewable = g_ptr_array_index (demo->reviewable, i);
      /* in the language the demo is shown in: French messages under an
         English app were a stumble (the supervisor writes one language) */
      const char * const *messages = g_strcmp0 (demo->language, "fr") == 0 ? messages_fr : messages_en;
      gboolean back = i % 4 == 3;
      g_autofree char *id = clmrs_review_record (demo->store, reviewable->visit_id, demo->supervisor.id,
                                                 back ? "returned" : "approved",
                                                 back ? messages[i % G_N_ELEMENTS (messages_en)] : NULL,
                                                 error);
      if (id == NULL)
        return FALSE;
      demo->report->reviews++;
    }
  return TRUE;
}

/* The summary's case figures are the indicators' (the same function, on
 * the demo's last day): never a second count that could differ. */
static gboolean
report_cases (Demo    *demo,
              GError **error)
{
  g_autoptr(JsonNode) indicators = clmrs_casebook_indicators (demo->store, NULL, NULL, &demo->until, error);
  JsonObject *o, *cases;

  if (indicators == NULL)
    return FALSE;
  o = json_node_get_object (indicators);
  cases = json_object_get_object_member (o, "cases");
  demo->report->identified = json_object_get_int_member (o, "children_ever_identified");
  demo->report->identified_at_farm = json_object_get_int_member (o, "children_identified_at_farm_visits");
  demo->report->exited = json_object_get_int_member (json_object_get_object_member (cases, "exited_of_identified"),
                                                     "numerator");
  demo->report->relapsed = json_object_get_int_member (json_object_get_object_member (cases, "relapse"),
                                                       "numerator");
  demo->report->missed = json_object_get_int_member (json_object_get_object_member (cases, "status"),
                                                     "follow_up_missed");
  demo->report->closed = json_object_get_int_member (json_object_get_object_member (cases, "status"), "closed");
  return TRUE;
}

/* A few visits left half done, to be resumed. */
static gboolean
leave_drafts (Demo *demo, GError **error)
{
  for (guint i = 0; i < MIN (3, demo->communities->len); i++)
    {
      DemoCommunity *c = g_ptr_array_index (demo->communities, i);
      DemoPerson *f = g_ptr_array_index (demo->facilitators, c->facilitator);
      g_autofree char *today = clmrs_date_format (&demo->until);
      g_autofree char *head = _clmrs_demo_person_name (demo, c->country, "male", NULL);
      g_autofree char *id = NULL;

      _clmrs_demo_clock_at (demo, today);
      id = clmrs_store_draft_create (demo->store, "household", clmrs_form_get_id (demo->household_form),
                                     clmrs_form_get_version (demo->household_form), f->id, c->id,
                                     NULL, NULL, error);
      if (id == NULL ||
          !clmrs_store_draft_save_answer (demo->store, id, "/household_visit/visit_date", today, error) ||
          !clmrs_store_draft_save_answer (demo->store, id, "/household_visit/household/head_name", head, error))
        return FALSE;
      demo->report->drafts++;
    }
  return TRUE;
}

gboolean
clmrs_demo_generate (ClmrsStore              *store,
                     const ClmrsDemoOptions  *options,
                     ClmrsDemoReport         *report,
                     GError                 **error)
{
  Demo demo = { .store = store, .report = report, .language = options->language };
  guint n_communities;
  guint months = options->months ? options->months : 24;
  gboolean ok = FALSE;
  guint n_cases = 0;

  g_return_val_if_fail (options->households > 0, FALSE);
  memset (report, 0, sizeof *report);

  if (!check_can_hold_demo (store, error))
    return FALSE;
  if (options->until != NULL)
    {
      if (!clmrs_date_parse (options->until, &demo.until))
        {
          g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                       "--until '%s' is not a date (YYYY-MM-DD)", options->until);
          return FALSE;
        }
    }
  else
    clmrs_date_today (&demo.until);
  demo.start = demo.until;
  g_date_subtract_months (&demo.start, months);

  demo.rand = g_rand_new_with_seed (options->seed);
  clmrs_uuid_set_seed (options->seed ^ 0x5eed1e55u);
  demo.communities = g_ptr_array_new_with_free_func (demo_community_free);
  demo.facilitators = g_ptr_array_new_with_free_func (demo_person_free);
  demo.reviewable = g_ptr_array_new_with_free_func ((GDestroyNotify) demo_reviewable_free);
  n_communities = options->communities ? options->communities : MAX (2, (options->households + 149) / 150);

  /* bulk generation: durability per record is not needed while building
   * demo data (a crash means generating again), so skip the fsyncs */
  {
    /* the communities and people are set up before the day's first visit
     * (_clmrs_demo_clock_at picks a working hour), so no record changes before it is made */
    g_autofree char *first_day = clmrs_date_format (&demo.start);
    g_autofree char *stamp = g_strdup_printf ("%sT06:30:00Z", first_day);
    g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (stamp, NULL);

    clock_set (&demo, g_date_time_to_unix (t));
  }
  /* marked first: a generation cut short still reads as a demo */
  if (!clmrs_store_set_meta (store, DEMO_META_KEY, DEMO_META_VALUE, error) ||
      !load_assets (&demo, error) ||
      !clmrs_store_exec (store, "PRAGMA synchronous = OFF", error) ||
      !make_people_and_places (&demo, n_communities, error))
    goto out;

  for (guint i = 0; i < n_communities; i++)
    if (!_clmrs_demo_community_profile (&demo, g_ptr_array_index (demo.communities, i), error))
      goto out;

  for (guint i = 0; i < options->households; i++)
    {
      if (!_clmrs_demo_simulate_household (&demo, g_ptr_array_index (demo.communities, i % n_communities), error))
        goto out;
      if (options->progress != NULL && (i % 50 == 49 || i + 1 == options->households))
        options->progress (i + 1, options->households, options->progress_data);
    }

  /* about one awareness session a month in each community */
  for (guint i = 0; i < n_communities; i++)
    for (guint m = 0; m < months; m++)
      {
        GDate day = demo.start;
        g_autofree char *date = NULL;

        g_date_add_months (&day, m);
        g_date_add_days (&day, g_rand_int_range (demo.rand, 0, 28));
        if (g_date_compare (&day, &demo.until) > 0 || g_rand_int_range (demo.rand, 0, 4) == 0)
          continue;
        date = clmrs_date_format (&day);
        if (!_clmrs_demo_awareness_session (&demo, g_ptr_array_index (demo.communities, i), date, error))
          goto out;
      }

  {
    g_autofree char *today = clmrs_date_format (&demo.until);
    _clmrs_demo_clock_at (&demo, today);
  }
  ok = supervise (&demo, error) &&
       leave_drafts (&demo, error) &&
       clmrs_casebook_refresh_all (store, &demo.until, NULL, &n_cases, error) &&
       report_cases (&demo, error);

out:
  clmrs_store_exec (store, "PRAGMA synchronous = FULL", NULL);
  clmrs_clock_set (NULL);
  clmrs_uuid_set_seed (0);
  free_assets (&demo);
  g_ptr_array_unref (demo.communities);
  g_ptr_array_unref (demo.facilitators);
  g_ptr_array_unref (demo.reviewable);
  g_free (demo.supervisor.id);
  g_free (demo.supervisor.name);
  g_rand_free (demo.rand);
  if (!ok)
    g_prefix_error (error, "making demo data: ");
  return ok;
}

/**
 * clmrs_demo_household_visit:
 * @community_id: a community on the device
 * @facilitator_id: the facilitator making the visit
 *
 * Makes one household visit as the app does: a draft autosaved answer by
 * answer through the shipped form, then finalised (with the supports the
 * rules suggest).  For crash and benchmark programs.
 *
 * Returns: (transfer full): the household visit's id; @n_children is set to
 * the number of children assessed.
 */
char *
clmrs_demo_household_visit (ClmrsStore  *store,
                            const char  *community_id,
                            const char  *facilitator_id,
                            guint32      seed,
                            guint       *n_children,
                            GError     **error)
{
  ClmrsDemoReport report = { 0 };
  Demo demo = { .store = store, .report = &report, .autosave = TRUE };
  DemoCommunity community = { 0 };
  DemoPerson *facilitator = g_new0 (DemoPerson, 1);
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (_clmrs_demo_child_free);
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  g_autofree char *date = NULL;
  g_autofree char *head = NULL;
  sqlite3_stmt *stmt;
  char *visit_id = NULL;
  guint n;

  demo.rand = g_rand_new_with_seed (seed);
  demo.reviewable = g_ptr_array_new_with_free_func ((GDestroyNotify) demo_reviewable_free);
  demo.facilitators = g_ptr_array_new_with_free_func (demo_person_free);
  g_ptr_array_add (demo.facilitators, facilitator);
  clmrs_date_today (&demo.until);
  demo.start = demo.until;

  stmt = clmrs_store_prepare (store,
      "SELECT (SELECT coalesce (country, 'ci') FROM communities WHERE id = ?1),"
      "  (SELECT name FROM facilitators WHERE id = ?2), (SELECT sex FROM facilitators WHERE id = ?2)", error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_text (stmt, 1, community_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, facilitator_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL &&
      sqlite3_column_type (stmt, 1) != SQLITE_NULL)
    {
      community.country = g_str_equal ((const char *) sqlite3_column_text (stmt, 0), "gh") ? "gh" : "ci";
      facilitator->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      facilitator->sex = g_str_equal ((const char *) sqlite3_column_text (stmt, 2), "female") ? "female" : "male";
    }
  sqlite3_finalize (stmt);
  if (community.country == NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                   "no community %s or facilitator %s on this device", community_id, facilitator_id);
      goto out;
    }
  community.id = (char *) community_id;
  community.facilitator = 0;
  facilitator->id = g_strdup (facilitator_id);
  if (!load_assets (&demo, error))
    goto out;

  date = clmrs_date_format (&demo.until);
  head = _clmrs_demo_person_name (&demo, community.country, "male", NULL);
  n = g_rand_int_range (demo.rand, 1, 5);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (children, _clmrs_demo_new_child (&demo, community.country, NULL, &demo.until));
  demo.communities = NULL;
  result = _clmrs_demo_household_visit (&demo, &community, NULL, head, "male", children, FALSE, date, error);
  if (result != NULL)
    {
      visit_id = g_strdup (result->visit_id);
      if (n_children != NULL)
        *n_children = result->children->len;
    }

out:
  clmrs_clock_set (NULL);
  free_assets (&demo);
  g_ptr_array_unref (demo.facilitators);
  g_ptr_array_unref (demo.reviewable);
  g_rand_free (demo.rand);
  return visit_id;
}
