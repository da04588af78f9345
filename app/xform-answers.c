/* xform-answers.c: answers: typing, normalising and setting an answer, constraints and required, validation. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

#include "util.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Answers                                                             */

gboolean
_xform_is_decimal (const char *value)
{
  char *end = NULL;
  double number;

  if (value[0] == '\0' || strspn (value, "0123456789+-.eE") != strlen (value))
    return FALSE;
  number = g_ascii_strtod (value, &end);
  return end != NULL && *end == '\0' && isfinite (number);
}

static gboolean
is_time (const char *value)
{
  g_autoptr(GRegex) regex = g_regex_new ("^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?"
                                         "(Z|[+-][0-9][0-9]:?[0-9][0-9])?$", 0, 0, NULL);
  return g_regex_match (regex, value, 0, NULL);
}

static gboolean
is_geopoint (const char *value)
{
  g_auto(GStrv) parts = g_strsplit (value, " ", -1);
  guint n = g_strv_length (parts);

  if (n < 2 || n > 4)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!_xform_is_decimal (parts[i]))
      return FALSE;
  return fabs (g_ascii_strtod (parts[0], NULL)) <= 90 && fabs (g_ascii_strtod (parts[1], NULL)) <= 180;
}

/* A geotrace or geoshape as the spec writes them: geopoints separated
 * by ';'; a trace has 2 points or more and does not end where it began,
 * a shape has 3 or more and does. */
static gboolean
is_geo_path (const char *value,
             gboolean    shape)
{
  g_auto(GStrv) points = g_strsplit (value, ";", -1);
  g_auto(GStrv) first = NULL;
  g_auto(GStrv) last = NULL;
  guint n = g_strv_length (points);
  gboolean closed;

  if (n < (shape ? 3u : 2u))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!is_geopoint (g_strstrip (points[i])))
      return FALSE;
  first = g_strsplit (points[0], " ", -1);
  last = g_strsplit (points[n - 1], " ", -1);
  closed = g_ascii_strtod (first[0], NULL) == g_ascii_strtod (last[0], NULL) &&
           g_ascii_strtod (first[1], NULL) == g_ascii_strtod (last[1], NULL);
  return shape ? closed : !closed;
}

/* TRUE when @value is in the lexical space of @type. */
gboolean
_xform_lexical_ok (ClmrsDataType  type,
                   const char    *value)
{
  switch (type)
    {
    case CLMRS_TYPE_INT:
      {
        gint64 number;
        return g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &number, NULL);
      }
    case CLMRS_TYPE_DECIMAL:
      return _xform_is_decimal (value);
    case CLMRS_TYPE_BOOLEAN:
      return g_str_equal (value, "true") || g_str_equal (value, "false") ||
             g_str_equal (value, "1") || g_str_equal (value, "0");
    case CLMRS_TYPE_DATE:
      {
        GDate date;
        return strlen (value) == 10 && clmrs_date_parse (value, &date);
      }
    case CLMRS_TYPE_TIME:
      return is_time (value);
    case CLMRS_TYPE_DATETIME:
      {
        g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
        g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (value, utc);
        return time != NULL;
      }
    case CLMRS_TYPE_SELECT1:
      return strchr (value, ' ') == NULL;
    case CLMRS_TYPE_GEOPOINT:
      return is_geopoint (value);
    case CLMRS_TYPE_BINARY:
      return clmrs_form_binary_name_is_valid (value);
    case CLMRS_TYPE_GEOTRACE:
    case CLMRS_TYPE_GEOSHAPE:
      return is_geo_path (value, type == CLMRS_TYPE_GEOSHAPE);
    case CLMRS_TYPE_STRING:
    case CLMRS_TYPE_SELECT:
    default:
      return TRUE;
    }
}

const char *
_xform_type_name (ClmrsDataType type)
{
  static const char *names[] = { "string", "int", "decimal", "boolean", "date", "time",
                                 "dateTime", "select1", "select", "geopoint",
                                 "file name (a name with an extension, no folder)",
                                 "geotrace (at least 2 points \"lat lon\" separated by ';', the last not the first)",
                                 "geoshape (at least 3 points \"lat lon\" separated by ';', the last the same as the first)" };
  return type < G_N_ELEMENTS (names) ? names[type] : "?";
}

gboolean
clmrs_form_binary_name_is_valid (const char *name)
{
  const char *dot;

  if (name == NULL || name[0] == '\0' || name[0] == '.' || strlen (name) > 200 ||
      !g_utf8_validate (name, -1, NULL) || strpbrk (name, "/\\: \t\r\n") != NULL)
    return FALSE;
  dot = strrchr (name, '.');
  return dot != NULL && dot[1] != '\0';
}

/* TRUE for UTF-8 text that XML 1.0 can carry (no control characters
 * other than tab and line ends). */
gboolean
_xform_text_ok (const char *value)
{
  if (!g_utf8_validate (value, -1, NULL))
    return FALSE;
  for (const unsigned char *p = (const unsigned char *) value; *p != '\0'; p++)
    if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
      return FALSE;
  return TRUE;
}

/* @value normalised for @node, or NULL with @error (TYPE) naming the ref. */
char *
_xform_normalize_value (ClmrsFormSession  *session,
                        xmlNode           *node,
                        const char        *ref,
                        const char        *value,
                        gboolean           check_choices,
                        GError           **error)
{
  NodeDef *def = _xform_def_of (node);
  ClmrsDataType type = _xform_type_of (def);
  g_autofree char *text = NULL;

  if (value == NULL || value[0] == '\0')
    return g_strdup ("");
  if (!_xform_text_ok (value))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                   "%s: the value is not UTF-8 text without control characters", ref);
      return NULL;
    }
  /* ODK Collect saves "OK" when an acknowledgement is acknowledged */
  if (def->control != NULL && def->control->kind == BODY_TRIGGER && !g_str_equal (value, "OK"))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                   "%s: an acknowledgement's value is OK, not '%s'", ref, value);
      return NULL;
    }
  if (type == CLMRS_TYPE_STRING)
    return g_strdup (value);
  if (type == CLMRS_TYPE_SELECT)
    {
      g_auto(GStrv) parts = g_strsplit_set (value, " \t\n", -1);
      g_autoptr(GPtrArray) kept = g_ptr_array_new ();
      for (guint i = 0; parts[i] != NULL; i++)
        if (parts[i][0] != '\0')
          g_ptr_array_add (kept, parts[i]);
      g_ptr_array_add (kept, NULL);
      text = g_strjoinv (" ", (char **) kept->pdata);
    }
  else if (type == CLMRS_TYPE_GEOTRACE || type == CLMRS_TYPE_GEOSHAPE)
    {
      /* each point as a geopoint is written ("lat lon alt acc"), ';' between them */
      g_auto(GStrv) points = g_strsplit (value, ";", -1);
      g_autoptr(GString) joined = g_string_new (NULL);

      for (guint i = 0; points[i] != NULL; i++)
        {
          g_auto(GStrv) parts = g_strsplit_set (g_strstrip (points[i]), " \t\n", -1);
          guint kept = 0;

          if (i > 0)
            g_string_append_c (joined, ';');
          for (guint j = 0; parts[j] != NULL; j++)
            if (parts[j][0] != '\0')
              g_string_append_printf (joined, "%s%s", kept++ ? " " : "", parts[j]);
        }
      text = g_string_free (g_steal_pointer (&joined), FALSE);
    }
  else
    text = g_strstrip (g_strdup (value));
  if (!_xform_lexical_ok (type, text))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                   "%s: '%s' is not a valid %s", ref, value, _xform_type_name (type));
      return NULL;
    }
  if (check_choices && def->control != NULL && IS_CHOICE_KIND (def->control->kind))
    {
      g_autoptr(GPtrArray) choices = _xform_choices_of (session, def->control, node);
      g_auto(GStrv) picked = g_strsplit (text, " ", -1);
      for (guint i = 0; picked[i] != NULL; i++)
        {
          gboolean found = FALSE;
          for (guint c = 0; c < choices->len && !found; c++)
            found = g_str_equal (((ClmrsChoice *) choices->pdata[c])->value, picked[i]);
          if (!found)
            {
              g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                           "%s: '%s' is not one of the choices", ref, picked[i]);
              return NULL;
            }
          if (def->control->kind == BODY_RANK && g_strv_contains ((const char * const *) picked + i + 1, picked[i]))
            {
              g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                           "%s: '%s' is ranked twice", ref, picked[i]);
              return NULL;
            }
        }
      /* a ranking orders every choice, as ODK Collect saves it */
      if (def->control->kind == BODY_RANK && g_strv_length (picked) != choices->len)
        {
          g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                       "%s: a ranking orders all %u choices, not %u", ref, choices->len, g_strv_length (picked));
          return NULL;
        }
    }
  if (def->control != NULL && def->control->kind == BODY_RANGE)
    {
      BodyNode *range = def->control;
      double number = g_ascii_strtod (text, NULL);
      double low = MIN (range->range_start, range->range_end);
      double high = MAX (range->range_start, range->range_end);
      double steps = (number - range->range_start) / range->range_step;

      if (number < low || number > high || fabs (steps - round (steps)) > 1e-9)
        {
          g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                       "%s: %s is not on the range from %g to %g in steps of %g",
                       ref, text, range->range_start, range->range_end, range->range_step);
          return NULL;
        }
    }
  return g_steal_pointer (&text);
}

/* Runs the xforms-value-changed setvalues of the question at @node; a
 * target inside the same repeat instance is the one set. */
static void
fire_value_changed (ClmrsFormSession *session,
                    xmlNode          *node)
{
  ClmrsForm *form = session->form;
  NodeDef *def = _xform_def_of (node);

  for (guint i = 0; i < form->setvalues->len; i++)
    {
      SetValue *setvalue = form->setvalues->pdata[i];
      xmlNode *scope = node;
      xmlNode *target;

      if (setvalue->trigger != def)
        continue;
      while (scope != NULL && scope->type == XML_ELEMENT_NODE &&
             !_xform_is_ancestor_or_self (_xform_def_of (scope), setvalue->target))
        scope = scope->parent;
      if (scope == NULL || scope->type != XML_ELEMENT_NODE)
        continue;
      target = _xform_find_below (scope, setvalue->target);
      if (target == NULL)
        continue;
      _xform_run_setvalue (session, setvalue, target);
      _xform_recalculate_from (session, setvalue->target);
    }
}

/* The leaf @ref names, or NULL with NO_SUCH_NODE. */
xmlNode *
_xform_resolve_leaf (ClmrsFormSession  *session,
                     const char        *ref,
                     GError           **error)
{
  xmlNode *node = _xform_resolve_ref (session, ref);
  NodeDef *def = _xform_def_of (node);

  if (node == NULL || def == NULL || !_xform_def_is_leaf (def))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE,
                   "%s names no question of form %s", ref ? ref : "(null)", session->form->id);
      return NULL;
    }
  return node;
}

/* Stores @value (normalised: trimmed, select values single-spaced) and
 * recomputes what depends on it.  Refuses, storing nothing: an unknown
 * ref or a group (NO_SUCH_NODE), a calculated or readonly node (READONLY),
 * a value outside the type or the choices offered now (TYPE). */
gboolean
clmrs_form_session_set_answer (ClmrsFormSession  *session,
                               const char        *ref,
                               const char        *value,
                               GError           **error)
{
  xmlNode *node;
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  node = _xform_resolve_leaf (session, ref, error);
  if (node == NULL)
    return FALSE;
  if (_xform_is_readonly (session, node))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_READONLY,
                   "%s is %s", ref, _xform_def_of (node)->bind->calculate ? "calculated" : "read-only");
      return FALSE;
    }
  normalized = _xform_normalize_value (session, node, ref, value, TRUE, error);
  if (normalized == NULL)
    return FALSE;
  if (_xform_store_value (session, node, normalized))
    {
      _xform_recalculate_from (session, _xform_def_of (node));
      fire_value_changed (session, node);
    }
  return TRUE;
}

/* Returns: (transfer full) (nullable): the value, NULL when empty or unknown. */
char *
clmrs_form_session_get_answer (ClmrsFormSession *session,
                               const char       *ref)
{
  xmlNode *node;
  char *value;

  g_return_val_if_fail (session != NULL, NULL);

  node = _xform_resolve_ref (session, ref);
  if (node == NULL || _xform_def_of (node) == NULL || !_xform_def_is_leaf (_xform_def_of (node)))
    return NULL;
  value = _xform_read_value (session, node);
  if (value[0] == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static gboolean
language_is_french (ClmrsFormSession *session)
{
  const char *lang = session->language;

  return lang != NULL && (strstr (lang, "(fr)") != NULL || g_ascii_strncasecmp (lang, "fr", 2) == 0);
}

static ClmrsCheck
check_node (ClmrsFormSession  *session,
            xmlNode           *node,
            char             **message)
{
  Bind *bind = _xform_def_of (node)->bind;
  gboolean empty = !_xform_node_has_value (node);

  if (bind == NULL || !_xform_is_relevant (session, node))
    return CLMRS_CHECK_OK;
  if (empty && _xform_is_required (session, node))
    {
      if (message != NULL)
        {
          *message = _xform_render_label (session, bind->required_msg, node);
          if (*message == NULL)
            *message = g_strdup (language_is_french (session) ? "Cette réponse est obligatoire."
                                                              : "This answer is required.");
        }
      return CLMRS_CHECK_REQUIRED;
    }
  if (!empty && bind->constraint != NULL && !_xform_evaluate_boolean (session, bind->constraint, node, TRUE))
    {
      if (message != NULL)
        {
          *message = _xform_render_label (session, bind->constraint_msg, node);
          if (*message == NULL)
            *message = g_strdup (language_is_french (session) ? "Cette réponse n'est pas acceptée."
                                                              : "This answer is not accepted.");
        }
      return CLMRS_CHECK_CONSTRAINT;
    }
  return CLMRS_CHECK_OK;
}

/* REQUIRED when relevant, required and empty; CONSTRAINT when not empty
 * and the constraint is false; @message then holds the translated
 * jr:requiredMsg / jr:constraintMsg or a default. OK for anything else. */
ClmrsCheck
clmrs_form_session_check (ClmrsFormSession  *session,
                          const char        *ref,
                          char             **message)
{
  xmlNode *node;

  g_return_val_if_fail (session != NULL, CLMRS_CHECK_OK);

  if (message != NULL)
    *message = NULL;
  node = _xform_resolve_ref (session, ref);
  if (node == NULL || _xform_def_of (node) == NULL)
    return CLMRS_CHECK_OK;
  return check_node (session, node, message);
}

static void
validate_subtree (ClmrsFormSession *session,
                  xmlNode          *node,
                  GPtrArray        *problems)
{
  NodeDef *def = _xform_def_of (node);
  g_autofree char *message = NULL;

  if (def == NULL || g_hash_table_contains (session->nonrelevant, node))
    return;
  if (_xform_def_is_leaf (def))
    {
      if (check_node (session, node, &message) != CLMRS_CHECK_OK)
        {
          ClmrsFormProblem *problem = g_new0 (ClmrsFormProblem, 1);
          problem->file = g_strdup (session->form->origin);
          problem->line = def->bind ? def->bind->line : 0;
          problem->node = _xform_ref_of (node);
          problem->reason = g_steal_pointer (&message);
          g_ptr_array_add (problems, problem);
        }
      return;
    }
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      validate_subtree (session, child, problems);
}

/* Every relevant leaf failing clmrs_form_session_check(), in document
 * order (node = its ref, reason = the message). Empty: may be finalised. */
GPtrArray *
clmrs_form_session_validate (ClmrsFormSession *session)
{
  GPtrArray *problems;

  g_return_val_if_fail (session != NULL, NULL);

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_form_problem_free);
  validate_subtree (session, xmlDocGetRootElement (session->doc), problems);
  return problems;
}
