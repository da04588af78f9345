/* cmd-forms.c: `clmrs forms check FILE...`: load XForms and report every problem. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "xform.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

static const char forms_help[] =
  "Subcommands:\n"
  "  check FILE...   load each ODK XForms file as the engine would\n"
  "\n"
  "`check` prints \"FILE: ok\" for a form that loads, otherwise every problem\n"
  "as \"file:line: node: reason\" (XML that does not parse, no model or\n"
  "instance, a bind or control naming a missing node, an expression that\n"
  "does not compile, cyclic calculations, an unsupported control or type).\n"
  "\n"
  "Exit status: 0 all forms ok, 3 some form has problems, 1 a file could\n"
  "not be read (named), 2 usage.";

static int
forms_check (int    argc,
             char **argv)
{
  int status = CLMRS_EXIT_OK;

  if (argc < 2)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "forms check: give at least one FILE (see clmrs forms --help)");
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GPtrArray) problems = NULL;

      if (!g_file_test (argv[i], G_FILE_TEST_IS_REGULAR) || g_access (argv[i], R_OK) != 0)
        {
          clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s: cannot read the file", argv[i]);
          status = CLMRS_EXIT_FAILURE;
          continue;
        }
      if (clmrs_form_check_file (argv[i], &problems))
        {
          printf ("%s: ok\n", argv[i]);
          continue;
        }
      for (guint p = 0; p < problems->len; p++)
        {
          g_autofree char *line = clmrs_form_problem_to_string (problems->pdata[p]);
          printf ("%s\n", line);
        }
      if (status == CLMRS_EXIT_OK)
        status = CLMRS_EXIT_DATA;
    }
  return status;
}

int
clmrs_cmd_forms (ClmrsCli  *cli,
                 int        argc,
                 char     **argv)
{
  if (!clmrs_cli_parse ("forms", "check FILE...", forms_help, NULL, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc < 2)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "forms: give a subcommand (see clmrs forms --help)");
  if (g_str_equal (argv[1], "check"))
    return forms_check (argc - 1, argv + 1);
  return clmrs_cli_fail (CLMRS_EXIT_USAGE, "forms: unknown subcommand '%s'", argv[1]);
}
