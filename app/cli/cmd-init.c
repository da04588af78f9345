/* cmd-init.c: `clmrs init`, create a device database (and its first people and places). */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "pin.h"
#include "store.h"
#include "util.h"

#include <stdio.h>

typedef struct {
  char       *name;
  char       *sex;
  char       *pin;
  const char *role;   /* "facilitator" or "supervisor" */
} Person;

static void
person_free (Person *p)
{
  g_free (p->name);
  g_free (p->sex);
  g_free (p->pin);
  g_free (p);
}

/* "Name,sex,PIN" -> parts; FALSE with a message naming the option. */
static gboolean
split_person (const char  *option,
              const char  *text,
              char       **name,
              char       **sex,
              char       **pin)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  if (g_strv_length (parts) != 3 ||
      (!g_str_equal (parts[1], "male") && !g_str_equal (parts[1], "female")))
    {
      clmrs_cli_fail (CLMRS_EXIT_USAGE, "%s expects NAME,male|female,PIN (got '%s')", option, text);
      return FALSE;
    }
  {
    g_autoptr(GError) error = NULL;

    if (!clmrs_pin_is_acceptable (parts[2], &error))
      {
        clmrs_cli_fail (CLMRS_EXIT_USAGE, "%s %s: %s", option, g_strstrip (parts[0]), error->message);
        return FALSE;
      }
  }
  if (*g_strstrip (parts[0]) == '\0')
    {
      clmrs_cli_fail (CLMRS_EXIT_USAGE, "%s: the name is empty (got '%s')", option, text);
      return FALSE;
    }
  *name = g_strdup (parts[0]);
  *sex = g_strdup (parts[1]);
  *pin = g_strdup (parts[2]);
  return TRUE;
}

/* Whether @sql (one text parameter) finds a row: a second init with the
 * same options must not add the same community or person twice. */
static gboolean
exists (ClmrsStore *store,
        const char *sql,
        const char *value)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = clmrs_store_prepare (store, sql, &error);
  gboolean found;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, value, -1, SQLITE_TRANSIENT);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

int
clmrs_cmd_init (ClmrsCli  *cli,
                int        argc,
                char     **argv)
{
  g_autofree char *community = NULL;
  g_autofree char *district = NULL;
  g_autofree char *country = NULL;
  g_auto(GStrv) facilitators = NULL;
  g_auto(GStrv) supervisors = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *community_id = NULL;
  g_autoptr(GPtrArray) people = g_ptr_array_new_with_free_func ((GDestroyNotify) person_free);
  GOptionEntry entries[] = {
    { "community", 0, 0, G_OPTION_ARG_STRING, &community, "Add a community by name", "NAME" },
    { "district", 0, 0, G_OPTION_ARG_STRING, &district, "Its district", "NAME" },
    { "country", 0, 0, G_OPTION_ARG_STRING, &country, "Its country: ci or gh", "CODE" },
    { "facilitator", 0, 0, G_OPTION_ARG_STRING_ARRAY, &facilitators, "Add a facilitator (repeatable; a PIN has 6 to 12 digits)", "NAME,SEX,PIN" },
    { "supervisor", 0, 0, G_OPTION_ARG_STRING_ARRAY, &supervisors, "Add a supervisor (repeatable)", "NAME,SEX,PIN" },
    { NULL }
  };

  if (!clmrs_cli_parse ("init", NULL,
                        "Creates the device database at --db (or brings an older one up to\n"
                        "the current schema) and prints its device id. The options add the\n"
                        "device's first community and people, for use before enrolment.",
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "init: unexpected argument '%s'", argv[1]);
  if (country != NULL && !g_str_equal (country, "ci") && !g_str_equal (country, "gh"))
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "init: --country is ci or gh (got '%s')", country);
  if ((facilitators != NULL || supervisors != NULL || district != NULL) && community == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "init: people and districts need a --community");
  /* every argument is checked before the database is touched */
  for (int role = 0; role < 2; role++)
    {
      GStrv list = role == 0 ? facilitators : supervisors;

      for (guint i = 0; list != NULL && list[i] != NULL; i++)
        {
          Person *p = g_new0 (Person, 1);

          g_ptr_array_add (people, p);
          p->role = role == 0 ? "facilitator" : "supervisor";
          if (!split_person (role == 0 ? "--facilitator" : "--supervisor", list[i], &p->name, &p->sex, &p->pin))
            return CLMRS_EXIT_USAGE;
        }
    }

  store = clmrs_store_open (cli->db_path, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  if (community != NULL && exists (store, "SELECT 1 FROM communities WHERE name = ?1", community))
    return clmrs_cli_fail (CLMRS_EXIT_DATA, "init: this device already has a community named '%s'", community);
  for (guint i = 0; i < people->len; i++)
    {
      const Person *p = g_ptr_array_index (people, i);

      if (exists (store, "SELECT 1 FROM facilitators WHERE name = ?1", p->name))
        return clmrs_cli_fail (CLMRS_EXIT_DATA, "init: this device already has a person named '%s'", p->name);
    }

  if (!clmrs_store_begin (store, &error))
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  if (community != NULL)
    {
      community_id = clmrs_uuid_new ();
      if (!clmrs_store_add_community (store, community_id, community, district, country, &error))
        goto fail;
    }
  for (guint i = 0; i < people->len; i++)
    {
      const Person *p = g_ptr_array_index (people, i);
      g_autofree char *id = clmrs_uuid_new ();

      if (!clmrs_store_add_facilitator (store, id, p->name, p->sex, p->role, p->pin, &error))
        goto fail;
    }
  if (!clmrs_store_commit (store, &error))
    goto fail;

  printf ("%s\n", clmrs_store_get_device_id (store));
  return CLMRS_EXIT_OK;

fail:
  clmrs_store_rollback (store);
  return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "init: %s", error->message);
}
