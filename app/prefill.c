/* prefill.c: what a new filling of a form knows before its first question. */
#define G_LOG_DOMAIN "clmrs-prefill"

#include "prefill.h"

#include "rules.h"
#include "util.h"

/* One child the store knows. */
typedef struct {
  char *id;
  char *household_id;
  char *name;
  char *sex;
  char *dob;
  char *age;                /* on the day of the visit */
  char *birth_certificate;  /* "yes" once seen, else NULL */
} KnownChild;

static void
known_child_free (KnownChild *child)
{
  g_free (child->id);
  g_free (child->household_id);
  g_free (child->name);
  g_free (child->sex);
  g_free (child->dob);
  g_free (child->age);
  g_free (child->birth_certificate);
  g_free (child);
}

/* What the store says about the household and child of a visit. */
typedef struct {
  char       *community_id;
  char       *household_id;
  char       *head_name;
  char       *head_sex;
  KnownChild *child;        /* the child asked for, or NULL */
} Known;

static void
known_clear (Known *known)
{
  g_free (known->community_id);
  g_free (known->household_id);
  g_free (known->head_name);
  g_free (known->head_sex);
  g_clear_pointer (&known->child, known_child_free);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

/* The child's age on @on: from the date of birth when known, else the
 * age last given plus the whole years since. */
static char *
age_on (const char  *dob,
        int          age,
        const char  *age_on_text,
        const GDate *on)
{
  GDate birth, then;

  if (dob != NULL && clmrs_date_parse (dob, &birth))
    return g_strdup_printf ("%d", clmrs_age_on (&birth, on));
  if (age < 0)
    return NULL;
  if (age_on_text != NULL && clmrs_date_parse (age_on_text, &then) && g_date_compare (&then, on) < 0)
    age += clmrs_age_on (&then, on);
  return g_strdup_printf ("%d", age);
}

/* The children the store knows: the one with id @key, or (@in_household)
 * those of household @key in the order they were registered; ages on @on. */
static GPtrArray *
read_children (ClmrsStore   *store,
               gboolean      in_household,
               const char   *key,
               const GDate  *on,
               GError      **error)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func ((GDestroyNotify) known_child_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = clmrs_store_prepare (store, in_household
      ? "SELECT c.id, c.household_id, c.name, c.sex, c.dob, coalesce (c.age, -1), c.age_on,"
        "  (SELECT json_extract (a.profile, '$.birth_certificate') FROM assessments a"
        "   WHERE a.child_id = c.id ORDER BY a.assessed_on DESC LIMIT 1) "
        "FROM children c WHERE c.household_id = ?1 ORDER BY c.created, c.rowid"
      : "SELECT c.id, c.household_id, c.name, c.sex, c.dob, coalesce (c.age, -1), c.age_on,"
        "  (SELECT json_extract (a.profile, '$.birth_certificate') FROM assessments a"
        "   WHERE a.child_id = c.id ORDER BY a.assessed_on DESC LIMIT 1) "
        "FROM children c WHERE c.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      KnownChild *child = g_new0 (KnownChild, 1);
      g_autofree char *age_given_on = column_text (stmt, 6);
      g_autofree char *certificate = column_text (stmt, 7);

      child->id = column_text (stmt, 0);
      child->household_id = column_text (stmt, 1);
      child->name = column_text (stmt, 2);
      child->sex = column_text (stmt, 3);
      child->dob = column_text (stmt, 4);
      child->age = age_on (child->dob, sqlite3_column_int (stmt, 5), age_given_on, on);
      /* a certificate does not go away; "no" may have changed since */
      if (g_strcmp0 (certificate, "yes") == 0)
        child->birth_certificate = g_strdup ("yes");
      g_ptr_array_add (children, child);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE,
                   "reading the children of %s %s: %s", in_household ? "household" : "child", key,
                   sqlite3_errmsg (clmrs_store_get_db (store)));
      return NULL;
    }
  return g_steal_pointer (&children);
}

static gboolean
read_known (ClmrsStore         *store,
            const ClmrsPrefill *prefill,
            const GDate        *on,
            Known              *known,
            GError            **error)
{
  sqlite3_stmt *stmt;
  ClmrsStep step;

  known->household_id = g_strdup (prefill->household_id);
  known->community_id = g_strdup (prefill->community_id);
  if (prefill->child_id != NULL)
    {
      g_autoptr(GPtrArray) found = read_children (store, FALSE, prefill->child_id, on, error);

      if (found == NULL)
        return FALSE;
      if (found->len > 0)
        {
          known->child = g_ptr_array_steal_index (found, 0);
          if (known->household_id == NULL)
            known->household_id = g_strdup (known->child->household_id);
        }
    }
  if (known->household_id != NULL)
    {
      stmt = clmrs_store_prepare (store,
          "SELECT community_id, head_name, head_sex FROM households WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, known->household_id, -1, SQLITE_TRANSIENT);
      step = clmrs_store_step (store, stmt, error);
      if (step == CLMRS_STEP_ROW)
        {
          if (known->community_id == NULL)
            known->community_id = column_text (stmt, 0);
          known->head_name = column_text (stmt, 1);
          known->head_sex = column_text (stmt, 2);
        }
      sqlite3_finalize (stmt);
      if (step == CLMRS_STEP_ERROR)
        return FALSE;
    }
  return TRUE;
}

/* Sets @ref to @value unless it is answered already or the form has no
 * such question. */
static gboolean
set_if_empty (ClmrsFormSession  *session,
              const char        *ref,
              const char        *value,
              GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *current = NULL;

  if (ref == NULL || value == NULL)
    return TRUE;
  current = clmrs_form_session_get_answer (session, ref);
  if (current != NULL && *current != '\0')
    return TRUE;
  if (clmrs_form_session_set_answer (session, ref, value, &local_error))
    return TRUE;
  if (g_error_matches (local_error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE))
    return TRUE;
  g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "prefilling %s: ", ref);
  return FALSE;
}


/* A household revisit: one instance of each empty child roster per child
 * the store knows in the household, in the order they were registered,
 * with the child's id (so finalising updates that child), name, sex, date
 * of birth, age on the day and a birth certificate seen before.  Every
 * known child is listed, also one 18 or older or gone: the facilitator
 * removes who left.  A roster that has an instance already (a resumed
 * draft, answers given) is left alone. */
static gboolean
prefill_roster (ClmrsFormSession  *session,
                ClmrsStore        *store,
                const char        *household_id,
                const GDate       *on,
                GError           **error)
{
  g_autoptr(GPtrArray) rosters = clmrs_form_get_entity_repeats (clmrs_form_session_get_form (session), "child");
  g_autoptr(GPtrArray) children = NULL;

  for (guint r = 0; r < rosters->len; r++)
    {
      ClmrsEntityData *roster = g_ptr_array_index (rosters, r);
      const char *fields[] = { "child_id", "name", "sex", "dob", "age" };

      if (clmrs_form_session_count_repeat (session, roster->ref) > 0)
        continue;
      if (children == NULL)
        {
          children = read_children (store, TRUE, household_id, on, error);
          if (children == NULL)
            return FALSE;
        }
      for (guint c = 0; c < children->len; c++)
        {
          KnownChild *child = g_ptr_array_index (children, c);
          const char *values[] = { child->id, child->name, child->sex, child->dob, child->age };
          g_autoptr(GError) local_error = NULL;
          g_autofree char *instance = clmrs_form_session_add_repeat (session, roster->ref, &local_error);
          g_autofree char *certificate_ref = NULL;

          if (instance == NULL)
            {
              /* a roster inside another repeat, or one counted by jr:count:
                 not a household's list of children */
              if (g_error_matches (local_error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE) ||
                  g_error_matches (local_error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_READONLY))
                break;
              g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "prefilling %s: ", roster->ref);
              return FALSE;
            }
          for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
            {
              const char *leaf = json_object_get_string_member_with_default (roster->field_refs, fields[f], NULL);
              g_autofree char *ref = leaf ? g_strdup_printf ("%s/%s", instance, leaf) : NULL;

              if (!set_if_empty (session, ref, values[f], error))
                return FALSE;
            }
          certificate_ref = g_strdup_printf ("%s/birth_certificate", instance);
          if (!set_if_empty (session, certificate_ref, child->birth_certificate, error))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
clmrs_prefill_session (ClmrsFormSession   *session,
                       ClmrsStore         *store,
                       const ClmrsPrefill *prefill,
                       GError            **error)
{
  static const char * const entities[] = { "household", "child", "support", "awareness" };
  const char *root = clmrs_form_get_id (clmrs_form_session_get_form (session));
  g_autofree char *today = NULL;
  const char *date;
  Known known = { 0 };
  GDate on;
  gboolean ok = FALSE;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (prefill != NULL, FALSE);

  if (prefill->date == NULL)
    {
      clmrs_date_today (&on);
      today = clmrs_date_format (&on);
    }
  else if (!clmrs_date_parse (prefill->date, &on))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE, "not a date: %s", prefill->date);
      return FALSE;
    }
  date = prefill->date ? prefill->date : today;

  if (store != NULL)
    {
      if (!read_known (store, prefill, &on, &known, error))
        goto out;
    }
  else
    {
      known.household_id = g_strdup (prefill->household_id);
      known.community_id = g_strdup (prefill->community_id);
    }

  {
    const char *leaves[] = { "facilitator_id", "facilitator_name", "facilitator_sex", "visit_date" };
    const char *values[] = { prefill->facilitator_id, prefill->facilitator_name, prefill->facilitator_sex, date };

    for (guint i = 0; i < G_N_ELEMENTS (leaves); i++)
      {
        g_autofree char *ref = g_strdup_printf ("/%s/%s", root, leaves[i]);

        if (!set_if_empty (session, ref, values[i], error))
          goto out;
      }
  }

  /* a household revisit lists the household's known children; a form
   * without the household entity (a farm visit: only the children found
   * there) does not */
  if (store != NULL && known.household_id != NULL && prefill->child_id == NULL)
    {
      g_autoptr(GPtrArray) households = clmrs_form_session_get_entities (session, "household");

      if (households->len > 0 && !prefill_roster (session, store, known.household_id, &on, error))
        goto out;
    }

  for (guint e = 0; e < G_N_ELEMENTS (entities); e++)
    {
      g_autoptr(GPtrArray) found = clmrs_form_session_get_entities (session, entities[e]);
      gboolean is_child = g_str_equal (entities[e], "child");
      const KnownChild *child = is_child ? known.child : NULL;
      gboolean is_support = g_str_equal (entities[e], "support");
      const char *level = is_support ? clmrs_support_type_level (prefill->support_type) : NULL;
      /* household and community support is not given to one child */
      gboolean for_child = !is_support || level == NULL ||
                           g_str_equal (level, "child") || g_str_equal (level, "referral");

      for (guint i = 0; found != NULL && i < found->len; i++)
        {
          ClmrsEntityData *entity = g_ptr_array_index (found, i);
          const char *fields[] = { "household_id", "community_id", "child_id", "support_type", "date",
                                   "head_name", "head_sex", "name", "sex", "dob", "age" };
          const char *values[] = { known.household_id, known.community_id, for_child ? prefill->child_id : NULL,
                                   prefill->support_type, date, known.head_name, known.head_sex,
                                   child ? child->name : NULL, child ? child->sex : NULL,
                                   child ? child->dob : NULL, child ? child->age : NULL };

          if (entity->field_refs == NULL)
            continue;
          /* a child entity only for the child asked for: a roster's new rows stay empty */
          if (is_child && prefill->child_id == NULL)
            continue;
          /* the level first: it filters the types offered */
          if (is_support && prefill->support_type != NULL)
            {
              g_autofree char *ref = g_strdup_printf ("%s/level", entity->ref);

              /* a referral is given to a child */
              if (!set_if_empty (session, ref, g_strcmp0 (level, "referral") == 0 ? "child" : level, error))
                goto out;
            }
          for (guint j = 0; j < G_N_ELEMENTS (fields); j++)
            if (!set_if_empty (session, json_object_get_string_member_with_default (entity->field_refs, fields[j], NULL),
                               values[j], error))
              goto out;
          if (child != NULL && child->birth_certificate != NULL)
            {
              g_autofree char *ref = g_strdup_printf ("%s/birth_certificate", entity->ref);

              if (!set_if_empty (session, ref, child->birth_certificate, error))
                goto out;
            }
        }
    }
  ok = TRUE;

out:
  known_clear (&known);
  return ok;
}
