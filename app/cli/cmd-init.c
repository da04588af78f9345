/* cmd-init.c: `clmrs init`, create a device database (and its first people and places). */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "pin.h"
#include "store.h"
#include "util.h"

#include <stdio.h>

typedef struct {
  char       *id;
  char       *name;
  char       *sex;
  char       *pin;
  const char *role;   /* "facilitator" or "supervisor" */
} Person;

static void
person_free (Person *p)
{
  g_free (p->id);
  g_free (p->name);
  g_free (p->sex);
  g_free (p->pin);
  g_free (p);
}

/* "Name,sex" -> parts; FALSE with a message naming the option.  A PIN
 * is never taken from the arguments (other users see them in ps and
 * /proc, shells keep them in their history): "Name,sex,PIN" is refused,
 * and the PIN is asked (clmrs_cli_read_new_pin()). */
static gboolean
split_person (const char  *option,
              const char  *text,
              char       **name,
              char       **sex)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  guint n = g_strv_length (parts);

  if (n == 3 && (g_str_equal (parts[1], "male") || g_str_equal (parts[1], "female")))
    {
      clmrs_cli_fail (CLMRS_EXIT_USAGE,
                      "%s %s,%s: leave the PIN out of the command line (others can read it there); "
                      "it is asked without echo, or read from --pin-fd", option, g_strstrip (parts[0]), parts[1]);
      return FALSE;
    }
  if (n != 2 || (!g_str_equal (parts[1], "male") && !g_str_equal (parts[1], "female")))
    {
      clmrs_cli_fail (CLMRS_EXIT_USAGE, "%s expects NAME,male|female (got '%s')", option, text);
      return FALSE;
    }
  if (*g_strstrip (parts[0]) == '\0')
    {
      clmrs_cli_fail (CLMRS_EXIT_USAGE, "%s: the name is empty (got '%s')", option, text);
      return FALSE;
    }
  *name = g_strdup (parts[0]);
  *sex = g_strdup (parts[1]);
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
  gboolean created;
  GOptionEntry entries[] = {
    { "community", 0, 0, G_OPTION_ARG_STRING, &community, "Add a community by name", "NAME" },
    { "district", 0, 0, G_OPTION_ARG_STRING, &district, "Its district", "NAME" },
    { "country", 0, 0, G_OPTION_ARG_STRING, &country, "Its country: ci or gh", "CODE" },
    { "facilitator", 0, 0, G_OPTION_ARG_STRING_ARRAY, &facilitators, "Add a facilitator who can sign in here (repeatable; the PIN, 6 digits or more, is asked for)", "NAME,SEX" },
    { "supervisor", 0, 0, G_OPTION_ARG_STRING_ARRAY, &supervisors, "Add a supervisor (repeatable)", "NAME,SEX" },
    { NULL }
  };

  if (!clmrs_cli_parse ("init", NULL,
                        "Creates the device database at --db, encrypted, with its keyring\n"
                        "(--db PATH.keyring), and prints its device id. The options add the\n"
                        "device's first community and people, for use before enrolment; a new\n"
                        "device needs at least one person. Each person's PIN is asked on the\n"
                        "terminal, or read from --pin-fd, one a line, in the order given.\n"
                        "On an existing database (--person signs in) it adds to it.",
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
          if (!split_person (role == 0 ? "--facilitator" : "--supervisor", list[i], &p->name, &p->sex))
            return CLMRS_EXIT_USAGE;
        }
    }

  created = !g_file_test (cli->db_path, G_FILE_TEST_EXISTS);
  if (created && people->len == 0)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE,
                           "init: a new device needs its first person, who can sign in "
                           "(--facilitator or --supervisor NAME,SEX)");
  for (guint i = 0; i < people->len; i++)
    {
      Person *p = g_ptr_array_index (people, i);
      g_autofree char *prompt = g_strdup_printf ("PIN for %s (6 digits or more)", p->name);

      if ((p->pin = clmrs_cli_read_new_pin (cli, prompt, &error)) == NULL)
        return clmrs_cli_fail (CLMRS_EXIT_USAGE, "init: %s: %s", p->name, error->message);
    }

  store = created ? clmrs_device_create (cli->db_path, &cli->key, &error)
                  : clmrs_cli_open_existing (cli, &error);
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
      Person *p = g_ptr_array_index (people, i);

      p->id = clmrs_uuid_new ();
      if (!clmrs_store_add_facilitator (store, p->id, p->name, p->sex, p->role, p->pin, &error))
        goto fail;
    }
  if (!clmrs_store_commit (store, &error))
    goto fail;
  /* who can sign in: everyone added here, with the key of the device */
  if (cli->key != NULL && people->len > 0)
    {
      g_autofree ClmrsDevicePerson *signers = g_new0 (ClmrsDevicePerson, people->len);

      for (guint i = 0; i < people->len; i++)
        {
          const Person *p = g_ptr_array_index (people, i);

          signers[i] = (ClmrsDevicePerson) { p->id, p->name, p->pin };
        }
      if (!clmrs_cli_write_keyring (cli, signers, people->len, &error))
        {
          if (created)
            {
              g_clear_pointer (&store, clmrs_store_close);
              clmrs_device_remove_files (cli->db_path);
            }
          return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "init: %s", error->message);
        }
    }

  printf ("%s\n", clmrs_store_get_device_id (store));
  return CLMRS_EXIT_OK;

fail:
  clmrs_store_rollback (store);
  if (created)
    {
      g_clear_pointer (&store, clmrs_store_close);
      clmrs_device_remove_files (cli->db_path);
    }
  return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "init: %s", error->message);
}
