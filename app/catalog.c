/* catalog.c: the forms and rule sets a device uses: built in, or published by the server. */
#define G_LOG_DOMAIN "clmrs-catalog"

#include "catalog.h"

#include "assets.h"

#include <string.h>

int
clmrs_version_compare (const char *a,
                       const char *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, 0);

  while (*a != '\0' && *b != '\0')
    {
      if (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
        {
          gsize na, nb;
          int cmp;

          while (*a == '0' && g_ascii_isdigit (a[1]))
            a++;
          while (*b == '0' && g_ascii_isdigit (b[1]))
            b++;
          for (na = 0; g_ascii_isdigit (a[na]); na++)
            ;
          for (nb = 0; g_ascii_isdigit (b[nb]); nb++)
            ;
          if (na != nb)
            return na < nb ? -1 : 1;
          cmp = strncmp (a, b, na);
          if (cmp != 0)
            return cmp < 0 ? -1 : 1;
          a += na;
          b += nb;
        }
      else if (*a != *b)
        return (guchar) *a < (guchar) *b ? -1 : 1;
      else
        a++, b++;
    }
  return (*a != '\0') - (*b != '\0');
}

const char *
clmrs_origin_to_string (ClmrsOrigin origin)
{
  return origin == CLMRS_ORIGIN_BUILTIN ? "built-in" : "published";
}

void
clmrs_catalog_entry_free (ClmrsCatalogEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->kind);
  g_free (entry->id);
  g_free (entry->version);
  g_free (entry->received);
  g_free (entry);
}

/* The built-in forms' and rule sets' identities, read once: the assets
 * never change while the program runs. */
typedef struct {
  const char *kind;
  char       *id;
  char       *version;
  char       *name;     /* the asset's name, for the loaders */
} Builtin;

static GPtrArray *
builtins (void)
{
  static GPtrArray *list = NULL;

  if (g_once_init_enter (&list))
    {
      GPtrArray *found = g_ptr_array_new ();
      g_auto(GStrv) forms = clmrs_assets_list ("forms");
      g_auto(GStrv) rules = clmrs_rule_set_list_builtin ();

      for (guint i = 0; forms[i] != NULL; i++)
        {
          g_autofree char *name = g_str_has_suffix (forms[i], ".xml")
                                  ? g_strndup (forms[i], strlen (forms[i]) - 4) : NULL;
          g_autoptr(ClmrsForm) form = name ? clmrs_form_load_builtin (name, NULL) : NULL;
          Builtin *b;

          if (form == NULL)
            continue;
          b = g_new0 (Builtin, 1);
          b->kind = "form";
          b->id = g_strdup (clmrs_form_get_id (form));
          b->version = g_strdup (clmrs_form_get_version (form));
          b->name = g_steal_pointer (&name);
          g_ptr_array_add (found, b);
        }
      for (guint i = 0; rules[i] != NULL; i++)
        {
          g_autoptr(ClmrsRuleSet) set = clmrs_rule_set_load_builtin (rules[i], NULL);
          Builtin *b;

          if (set == NULL)
            continue;
          b = g_new0 (Builtin, 1);
          b->kind = "rule_set";
          b->id = g_strdup (clmrs_rule_set_get_id (set));
          b->version = g_strdup (clmrs_rule_set_get_version (set));
          b->name = g_strdup (rules[i]);
          g_ptr_array_add (found, b);
        }
      g_once_init_leave (&list, found);
    }
  return list;
}

static const Builtin *
find_builtin (const char *kind,
              const char *id)
{
  GPtrArray *list = builtins ();

  for (guint i = 0; i < list->len; i++)
    {
      const Builtin *b = g_ptr_array_index (list, i);

      if (g_str_equal (b->kind, kind) && g_str_equal (b->id, id))
        return b;
    }
  return NULL;
}

/* One version the device could load. */
typedef struct {
  char        *version;
  ClmrsOrigin  origin;
} Candidate;

static void
candidate_free (gpointer data)
{
  Candidate *c = data;

  g_free (c->version);
  g_free (c);
}

/* Newest first; a built-in version before a published one of the same
 * version. */
static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *ca = *(Candidate * const *) a;
  const Candidate *cb = *(Candidate * const *) b;
  int cmp = clmrs_version_compare (cb->version, ca->version);

  return cmp != 0 ? cmp : (int) ca->origin - (int) cb->origin;
}

/* Every version of @kind @id on the device, newest first. */
static GPtrArray *
candidates (ClmrsStore  *store,
            const char  *kind,
            const char  *id,
            GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (candidate_free);
  const Builtin *b = find_builtin (kind, id);
  sqlite3_stmt *stmt;
  ClmrsStep step;

  if (b != NULL)
    {
      Candidate *c = g_new0 (Candidate, 1);
      c->version = g_strdup (b->version);
      c->origin = CLMRS_ORIGIN_BUILTIN;
      g_ptr_array_add (out, c);
    }
  stmt = clmrs_store_prepare (store, "SELECT version FROM published WHERE kind = ?1 AND id = ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    {
      Candidate *c = g_new0 (Candidate, 1);
      c->version = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      c->origin = CLMRS_ORIGIN_PUBLISHED;
      g_ptr_array_add (out, c);
    }
  sqlite3_finalize (stmt);
  if (step == CLMRS_STEP_ERROR)
    return NULL;
  g_ptr_array_sort (out, compare_candidates);
  return g_steal_pointer (&out);
}

/* The content of a published version, NULL with an error when absent. */
static char *
published_content (ClmrsStore  *store,
                   const char  *kind,
                   const char  *id,
                   const char  *version,
                   gsize       *length,
                   GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "SELECT content FROM published WHERE kind = ?1 AND id = ?2 AND version = ?3", error);
  char *content = NULL;
  ClmrsStep step;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, version, -1, SQLITE_TRANSIENT);
  step = clmrs_store_step (store, stmt, error);
  if (step == CLMRS_STEP_ROW)
    {
      *length = (gsize) sqlite3_column_bytes (stmt, 0);
      content = g_strndup ((const char *) sqlite3_column_text (stmt, 0), *length);
    }
  else if (step == CLMRS_STEP_DONE)
    g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                 "%s %s version %s is not on this device", g_str_equal (kind, "form") ? "form" : "rule set",
                 id, version);
  sqlite3_finalize (stmt);
  return content;
}

ClmrsFormMedia *
clmrs_catalog_load_media (ClmrsStore  *store,
                          const char  *form_id,
                          const char  *version,
                          GError     **error)
{
  g_autoptr(ClmrsFormMedia) media = clmrs_form_media_new ();
  sqlite3_stmt *stmt;
  ClmrsStep step;

  g_return_val_if_fail (store != NULL && form_id != NULL && version != NULL, NULL);

  stmt = clmrs_store_prepare (store,
      "SELECT name, content FROM published_media WHERE kind = 'form' AND id = ?1 AND version = ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, form_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, version, -1, SQLITE_TRANSIENT);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (sqlite3_column_blob (stmt, 1), (gsize) sqlite3_column_bytes (stmt, 1));

      if (!clmrs_form_media_add (media, (const char *) sqlite3_column_text (stmt, 0), bytes, error))
        {
          step = CLMRS_STEP_ERROR;
          break;
        }
    }
  sqlite3_finalize (stmt);
  if (step == CLMRS_STEP_ERROR)
    return NULL;
  return g_steal_pointer (&media);
}

/* Loads one version known to exist (@c). */
static gpointer
load_form_candidate (ClmrsStore      *store,
                     const char      *form_id,
                     const Candidate *c,
                     gpointer         user_data,
                     GError         **error)
{
  ClmrsFormMedia **media = user_data;
  g_autofree char *content = NULL;
  g_autofree char *origin = NULL;
  g_autoptr(ClmrsForm) form = NULL;
  g_autoptr(ClmrsFormMedia) files = NULL;
  gsize length = 0;

  if (c->origin == CLMRS_ORIGIN_BUILTIN)
    {
      form = clmrs_form_load_builtin (find_builtin ("form", form_id)->name, error);
      if (form != NULL && media != NULL)
        *media = clmrs_form_media_new ();
      return g_steal_pointer (&form);
    }
  content = published_content (store, "form", form_id, c->version, &length, error);
  if (content == NULL)
    return NULL;
  origin = g_strdup_printf ("published form %s@%s", form_id, c->version);
  /* the version's media files first: its CSV and XML lists load with it */
  files = clmrs_catalog_load_media (store, form_id, c->version, error);
  if (files == NULL)
    return NULL;
  form = clmrs_form_load_full (content, length, origin, clmrs_form_media_resolve, files, NULL, error);
  if (form == NULL)
    return NULL;
  if (media != NULL)
    *media = g_steal_pointer (&files);
  return g_steal_pointer (&form);
}

/* The candidate of @version, or NULL with an error naming what is missing. */
static const Candidate *
find_version (GPtrArray  *list,
              const char *kind,
              const char *id,
              const char *version,
              GError    **error)
{
  for (guint i = 0; i < list->len; i++)
    {
      const Candidate *c = g_ptr_array_index (list, i);

      if (g_str_equal (c->version, version))
        return c;
    }
  if (list->len == 0)
    g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                 "no %s %s on this device", g_str_equal (kind, "form") ? "form" : "rule set", id);
  else
    g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                 "%s %s version %s is not on this device", g_str_equal (kind, "form") ? "form" : "rule set",
                 id, version);
  return NULL;
}

/* One version of @kind @id loaded by @load: @version, or the newest that
 * loads when NULL (a version the server accepted and this older program
 * cannot run is passed over, not the end of every visit). */
typedef gpointer (*LoadFunc) (ClmrsStore      *store,
                              const char      *id,
                              const Candidate *c,
                              gpointer         user_data,
                              GError         **error);

static gpointer
load_version (ClmrsStore  *store,
              const char  *kind,
              const char  *id,
              const char  *version,
              LoadFunc     load,
              gpointer     user_data,
              GError     **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) first_error = NULL;

  list = candidates (store, kind, id, error);
  if (list == NULL)
    return NULL;
  if (version != NULL)
    {
      const Candidate *c = find_version (list, kind, id, version, error);
      return c != NULL ? load (store, id, c, user_data, error) : NULL;
    }
  for (guint i = 0; i < list->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      const Candidate *c = g_ptr_array_index (list, i);
      gpointer loaded = load (store, id, c, user_data, &local_error);

      if (loaded != NULL)
        return loaded;
      g_info ("%s %s version %s passed over: %s", kind, id, c->version, local_error->message);
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }
  if (first_error != NULL)
    g_propagate_error (error, g_steal_pointer (&first_error));
  else
    g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND, "no %s %s on this device",
                 g_str_equal (kind, "form") ? "form" : "rule set", id);
  return NULL;
}

ClmrsForm *
clmrs_catalog_load_form (ClmrsStore      *store,
                         const char      *form_id,
                         const char      *version,
                         ClmrsFormMedia **media,
                         GError         **error)
{
  g_return_val_if_fail (store != NULL && form_id != NULL, NULL);

  return load_version (store, "form", form_id, version, load_form_candidate, media, error);
}

/* The form each kind of visit records, and back. */
static const struct {
  const char *kind;
  const char *form_id;
} visit_forms[] = {
  { "household", "household_visit" },
  { "follow_up", "follow_up_visit" },
  { "support",   "support_record" },
  { "awareness", "awareness_session" },
  { "community", "community_profile" },
  { "farm",      "farm_visit" },
  { "closure",   "case_closure" },
};

const char *
clmrs_catalog_visit_kind (const char *form_id)
{
  g_return_val_if_fail (form_id != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (visit_forms); i++)
    if (g_str_equal (visit_forms[i].form_id, form_id))
      return visit_forms[i].kind;
  return "household";
}

ClmrsForm *
clmrs_catalog_form_for_visit (ClmrsStore  *store,
                              const char  *kind,
                              GError     **error)
{
  g_return_val_if_fail (store != NULL && kind != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (visit_forms); i++)
    if (g_str_equal (visit_forms[i].kind, kind))
      return clmrs_catalog_load_form (store, visit_forms[i].form_id, NULL, NULL, error);
  g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID, "no visit kind '%s'", kind);
  return NULL;
}

static gpointer
load_rules_candidate (ClmrsStore      *store,
                      const char      *rules_id,
                      const Candidate *c,
                      gpointer         user_data,
                      GError         **error)
{
  g_autofree char *content = NULL;
  g_autofree char *origin = NULL;
  gsize length = 0;

  if (c->origin == CLMRS_ORIGIN_BUILTIN)
    return clmrs_rule_set_load_builtin (find_builtin ("rule_set", rules_id)->name, error);
  content = published_content (store, "rule_set", rules_id, c->version, &length, error);
  if (content == NULL)
    return NULL;
  origin = g_strdup_printf ("published rule set %s@%s", rules_id, c->version);
  return clmrs_rule_set_load_data (content, (gssize) length, origin, error);
}

ClmrsRuleSet *
clmrs_catalog_load_rules (ClmrsStore  *store,
                          const char  *rules_id,
                          const char  *version,
                          GError     **error)
{
  g_return_val_if_fail (store != NULL && rules_id != NULL, NULL);

  return load_version (store, "rule_set", rules_id, version, load_rules_candidate, NULL, error);
}

ClmrsRuleSet *
clmrs_catalog_rules_for_country (ClmrsStore  *store,
                                 const char  *country,
                                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  ClmrsRuleSet *rules;

  g_return_val_if_fail (store != NULL, NULL);

  if (country == NULL || *country == '\0')
    return clmrs_catalog_load_rules (store, "ilo", NULL, error);
  rules = clmrs_catalog_load_rules (store, country, NULL, &local_error);
  if (rules != NULL)
    return rules;
  if (!g_error_matches (local_error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_debug ("no rule set %s, using ilo: %s", country, local_error->message);
  return clmrs_catalog_load_rules (store, "ilo", NULL, error);
}

/* By kind, id, then version (oldest first); built in before published. */
static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const ClmrsCatalogEntry *ea = *(ClmrsCatalogEntry * const *) a;
  const ClmrsCatalogEntry *eb = *(ClmrsCatalogEntry * const *) b;
  int cmp = strcmp (ea->kind, eb->kind);

  if (cmp == 0)
    cmp = strcmp (ea->id, eb->id);
  if (cmp == 0)
    cmp = clmrs_version_compare (ea->version, eb->version);
  return cmp != 0 ? cmp : (int) ea->origin - (int) eb->origin;
}

GPtrArray *
clmrs_catalog_list (ClmrsStore  *store,
                    GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_catalog_entry_free);
  GPtrArray *list = builtins ();
  sqlite3_stmt *stmt;
  ClmrsStep step;

  g_return_val_if_fail (store != NULL, NULL);

  for (guint i = 0; i < list->len; i++)
    {
      const Builtin *b = g_ptr_array_index (list, i);
      ClmrsCatalogEntry *e = g_new0 (ClmrsCatalogEntry, 1);

      e->kind = g_strdup (b->kind);
      e->id = g_strdup (b->id);
      e->version = g_strdup (b->version);
      e->origin = CLMRS_ORIGIN_BUILTIN;
      g_ptr_array_add (out, e);
    }
  stmt = clmrs_store_prepare (store,
      "SELECT p.kind, p.id, p.version, p.received, (SELECT count (*) FROM published_media m"
      "  WHERE m.kind = p.kind AND m.id = p.id AND m.version = p.version) FROM published p", error);
  if (stmt == NULL)
    return NULL;
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    {
      ClmrsCatalogEntry *e = g_new0 (ClmrsCatalogEntry, 1);

      e->kind = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      e->id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      e->version = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      e->received = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      e->media = (guint) sqlite3_column_int (stmt, 4);
      e->origin = CLMRS_ORIGIN_PUBLISHED;
      g_ptr_array_add (out, e);
    }
  sqlite3_finalize (stmt);
  if (step == CLMRS_STEP_ERROR)
    return NULL;
  g_ptr_array_sort (out, compare_entries);
  /* the current one: the newest of each id, a built-in one on a tie
   * (sorted before the published one of its version) */
  for (guint i = 0; i < out->len; i++)
    {
      ClmrsCatalogEntry *e = g_ptr_array_index (out, i);
      ClmrsCatalogEntry *next = i + 1 < out->len ? g_ptr_array_index (out, i + 1) : NULL;
      gboolean last_of_id = next == NULL || !g_str_equal (next->kind, e->kind) || !g_str_equal (next->id, e->id);

      if (last_of_id)
        {
          ClmrsCatalogEntry *current = e;
          ClmrsCatalogEntry *prev = i > 0 ? g_ptr_array_index (out, i - 1) : NULL;

          if (prev != NULL && g_str_equal (prev->kind, e->kind) && g_str_equal (prev->id, e->id)
              && clmrs_version_compare (prev->version, e->version) == 0 && prev->origin == CLMRS_ORIGIN_BUILTIN)
            current = prev;
          current->current = TRUE;
        }
    }
  return g_steal_pointer (&out);
}
