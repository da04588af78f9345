/* xpath-functions.c: the ODK XForms XPath functions, registered with libxml2. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"
#include "util.h"

#include <math.h>
#include <string.h>

typedef void (*XPathFunc) (xmlXPathParserContextPtr ctxt, int nargs);

static ClmrsFormSession *
session_of (xmlXPathParserContextPtr ctxt)
{
  return ctxt->context->userData;
}

static void
push_string (xmlXPathParserContextPtr  ctxt,
             const char               *text)
{
  valuePush (ctxt, xmlXPathNewString ((const xmlChar *) (text ? text : "")));
}

/* Pops a value as a UTF-8 string owned by GLib. */
static char *
pop_string (xmlXPathParserContextPtr ctxt)
{
  xmlChar *value = xmlXPathPopString (ctxt);
  char *copy = g_strdup ((const char *) (value ? value : (const xmlChar *) ""));

  xmlFree (value);
  return copy;
}

static gboolean
arity_between (xmlXPathParserContextPtr ctxt,
               int                      nargs,
               int                      low,
               int                      high)
{
  if (nargs < low || (high >= 0 && nargs > high) || ctxt->valueNr < nargs)
    {
      xmlXPathErr (ctxt, XPATH_INVALID_ARITY);
      return FALSE;
    }
  return TRUE;
}

/* Splits a select's value ("a b c") into its choices. */
static char **
split_choices (const char *list)
{
  g_auto(GStrv) parts = g_strsplit_set (list, " \t\n\r", -1);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_ptr_array_add (out, g_strdup (parts[i]));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static void
fn_selected (xmlXPathParserContextPtr ctxt,
             int                      nargs)
{
  g_autofree char *value = NULL;
  g_autofree char *list = NULL;
  g_auto(GStrv) choices = NULL;

  if (!arity_between (ctxt, nargs, 2, 2))
    return;
  value = g_strstrip (pop_string (ctxt));
  list = pop_string (ctxt);
  choices = split_choices (list);
  valuePush (ctxt, xmlXPathNewBoolean (g_strv_contains ((const char * const *) choices, value)));
}

static void
fn_count_selected (xmlXPathParserContextPtr ctxt,
                   int                      nargs)
{
  g_autofree char *list = NULL;
  g_auto(GStrv) choices = NULL;

  if (!arity_between (ctxt, nargs, 1, 1))
    return;
  list = pop_string (ctxt);
  choices = split_choices (list);
  valuePush (ctxt, xmlXPathNewFloat (g_strv_length (choices)));
}

static void
fn_selected_at (xmlXPathParserContextPtr ctxt,
                int                      nargs)
{
  g_autofree char *list = NULL;
  g_auto(GStrv) choices = NULL;
  double index;

  if (!arity_between (ctxt, nargs, 2, 2))
    return;
  index = xmlXPathPopNumber (ctxt);
  list = pop_string (ctxt);
  choices = split_choices (list);
  if (isnan (index) || index < 0 || index >= g_strv_length (choices))
    push_string (ctxt, "");
  else
    push_string (ctxt, choices[(guint) index]);
}

static void
fn_if (xmlXPathParserContextPtr ctxt,
       int                      nargs)
{
  xmlXPathObjectPtr no, yes;
  int condition;

  if (!arity_between (ctxt, nargs, 3, 3))
    return;
  no = valuePop (ctxt);
  yes = valuePop (ctxt);
  condition = xmlXPathPopBoolean (ctxt);
  if (condition)
    {
      valuePush (ctxt, yes);
      xmlXPathFreeObject (no);
    }
  else
    {
      valuePush (ctxt, no);
      xmlXPathFreeObject (yes);
    }
}

static void
fn_coalesce (xmlXPathParserContextPtr ctxt,
             int                      nargs)
{
  g_autofree char *second = NULL;
  g_autofree char *first = NULL;

  if (!arity_between (ctxt, nargs, 2, 2))
    return;
  second = pop_string (ctxt);
  first = pop_string (ctxt);
  push_string (ctxt, first[0] != '\0' ? first : second);
}

static void
fn_today (xmlXPathParserContextPtr ctxt,
          int                      nargs)
{
  GDate today;
  g_autofree char *text = NULL;

  if (!arity_between (ctxt, nargs, 0, 0))
    return;
  clmrs_date_today (&today);
  text = clmrs_date_format (&today);
  push_string (ctxt, text);
}

static void
fn_now (xmlXPathParserContextPtr ctxt,
        int                      nargs)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *text = NULL;

  if (!arity_between (ctxt, nargs, 0, 0))
    return;
  now = clmrs_now ();
  text = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.000%:z");
  push_string (ctxt, text);
}

static void
fn_int (xmlXPathParserContextPtr ctxt,
        int                      nargs)
{
  double value;

  if (!arity_between (ctxt, nargs, 1, 1))
    return;
  value = xmlXPathPopNumber (ctxt);
  valuePush (ctxt, xmlXPathNewFloat (isfinite (value) ? trunc (value) : value));
}

/* ODK's round(): half away from zero, with an optional number of digits. */
static void
fn_round (xmlXPathParserContextPtr ctxt,
          int                      nargs)
{
  double value, digits = 0, scale;

  if (!arity_between (ctxt, nargs, 1, 2))
    return;
  if (nargs == 2)
    digits = xmlXPathPopNumber (ctxt);
  value = xmlXPathPopNumber (ctxt);
  if (!isfinite (value) || isnan (digits))
    {
      valuePush (ctxt, xmlXPathNewFloat (isnan (digits) ? NAN : value));
      return;
    }
  digits = trunc (CLAMP (digits, -15, 15));
  scale = pow (10, digits);
  valuePush (ctxt, xmlXPathNewFloat (round (value * scale) / scale));
}

static void
fn_boolean_from_string (xmlXPathParserContextPtr ctxt,
                        int                      nargs)
{
  g_autofree char *text = NULL;

  if (!arity_between (ctxt, nargs, 1, 1))
    return;
  text = g_strstrip (pop_string (ctxt));
  valuePush (ctxt, xmlXPathNewBoolean (g_str_equal (text, "true") || g_str_equal (text, "1")));
}

static void
fn_regex (xmlXPathParserContextPtr ctxt,
          int                      nargs)
{
  g_autofree char *pattern = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GRegex) regex = NULL;

  if (!arity_between (ctxt, nargs, 2, 2))
    return;
  pattern = pop_string (ctxt);
  text = pop_string (ctxt);
  regex = g_regex_new (pattern, 0, 0, NULL);
  if (regex == NULL)
    {
      xmlXPathErr (ctxt, XPATH_INVALID_OPERAND);
      return;
    }
  valuePush (ctxt, xmlXPathNewBoolean (g_regex_match (regex, text, 0, NULL)));
}

/* substr(s, start[, end]): characters start..end-1, 0-based. */
static void
fn_substr (xmlXPathParserContextPtr ctxt,
           int                      nargs)
{
  g_autofree char *text = NULL;
  double start, end = INFINITY;
  glong length;

  if (!arity_between (ctxt, nargs, 2, 3))
    return;
  if (nargs == 3)
    end = xmlXPathPopNumber (ctxt);
  start = xmlXPathPopNumber (ctxt);
  text = pop_string (ctxt);
  length = g_utf8_strlen (text, -1);
  if (isnan (start) || isnan (end))
    {
      push_string (ctxt, "");
      return;
    }
  if (start < 0)
    start = MAX (0, length + start);
  if (end < 0)
    end = MAX (0, length + end);
  start = MIN (start, length);
  end = MIN (end, length);
  if (end <= start)
    push_string (ctxt, "");
  else
    {
      g_autofree char *part = g_utf8_substring (text, (glong) start, (glong) end);
      push_string (ctxt, part);
    }
}

/* Parses a date or dateTime into a UTC-anchored GDateTime (dates at midnight UTC). */
static GDateTime *
parse_date_time (const char *text)
{
  GDate date;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  if (text == NULL || text[0] == '\0')
    return NULL;
  if (strlen (text) == 10 && clmrs_date_parse (text, &date))
    return g_date_time_new (utc, g_date_get_year (&date), g_date_get_month (&date),
                            g_date_get_day (&date), 0, 0, 0);
  return g_date_time_new_from_iso8601 (text, utc);
}

/* A value as a point in time: a number is days since 1970-01-01. */
static GDateTime *
pop_date_time (xmlXPathParserContextPtr ctxt)
{
  xmlXPathObjectPtr object = valuePop (ctxt);
  GDateTime *result = NULL;

  if (object == NULL)
    return NULL;
  if (object->type == XPATH_NUMBER)
    {
      if (isfinite (object->floatval))
        {
          g_autoptr(GDateTime) epoch = g_date_time_new_from_unix_utc (0);
          result = g_date_time_add_seconds (epoch, object->floatval * 86400.0);
        }
    }
  else
    {
      xmlChar *text = xmlXPathCastToString (object);
      g_autofree char *copy = g_strstrip (g_strdup ((const char *) text));
      result = parse_date_time (copy);
      xmlFree (text);
    }
  xmlXPathFreeObject (object);
  return result;
}

static void
fn_decimal_date_time (xmlXPathParserContextPtr ctxt,
                      int                      nargs)
{
  g_autoptr(GDateTime) time = NULL;

  if (!arity_between (ctxt, nargs, 1, 1))
    return;
  time = pop_date_time (ctxt);
  if (time == NULL)
    valuePush (ctxt, xmlXPathNewFloat (NAN));
  else
    valuePush (ctxt, xmlXPathNewFloat (g_date_time_to_unix (time) / 86400.0 +
                                       g_date_time_get_microsecond (time) / 86400e6));
}

static void
fn_date (xmlXPathParserContextPtr ctxt,
         int                      nargs)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;

  if (!arity_between (ctxt, nargs, 1, 1))
    return;
  time = pop_date_time (ctxt);
  if (time != NULL)
    text = g_date_time_format (time, "%Y-%m-%d");
  push_string (ctxt, text);
}

static void
fn_format_date (xmlXPathParserContextPtr ctxt,
                int                      nargs)
{
  static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  static const char *days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  g_autofree char *format = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  if (!arity_between (ctxt, nargs, 2, 2))
    return;
  format = pop_string (ctxt);
  time = pop_date_time (ctxt);
  if (time == NULL)
    {
      push_string (ctxt, "");
      return;
    }
  for (const char *p = format; *p != '\0'; p++)
    {
      if (*p != '%' || p[1] == '\0')
        {
          g_string_append_c (out, *p);
          continue;
        }
      switch (*++p)
        {
        case 'Y': g_string_append_printf (out, "%04d", g_date_time_get_year (time)); break;
        case 'y': g_string_append_printf (out, "%02d", g_date_time_get_year (time) % 100); break;
        case 'm': g_string_append_printf (out, "%02d", g_date_time_get_month (time)); break;
        case 'n': g_string_append_printf (out, "%d", g_date_time_get_month (time)); break;
        case 'b': g_string_append (out, months[g_date_time_get_month (time) - 1]); break;
        case 'd': g_string_append_printf (out, "%02d", g_date_time_get_day_of_month (time)); break;
        case 'e': g_string_append_printf (out, "%d", g_date_time_get_day_of_month (time)); break;
        case 'a': g_string_append (out, days[g_date_time_get_day_of_week (time) - 1]); break;
        case 'H': g_string_append_printf (out, "%02d", g_date_time_get_hour (time)); break;
        case 'h': g_string_append_printf (out, "%d", g_date_time_get_hour (time)); break;
        case 'M': g_string_append_printf (out, "%02d", g_date_time_get_minute (time)); break;
        case 'S': g_string_append_printf (out, "%02d", g_date_time_get_second (time)); break;
        case '3': g_string_append_printf (out, "%03d", g_date_time_get_microsecond (time) / 1000); break;
        default: g_string_append_c (out, *p); break;
        }
    }
  push_string (ctxt, out->str);
}

static void
fn_uuid (xmlXPathParserContextPtr ctxt,
         int                      nargs)
{
  static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  double length;
  g_autoptr(GString) out = NULL;

  if (!arity_between (ctxt, nargs, 0, 1))
    return;
  if (nargs == 0)
    {
      g_autofree char *uuid = clmrs_uuid_new ();
      push_string (ctxt, uuid);
      return;
    }
  length = xmlXPathPopNumber (ctxt);
  out = g_string_new (NULL);
  for (int i = 0; isfinite (length) && i < MIN (length, 256); i++)
    g_string_append_c (out, alphabet[g_random_int_range (0, sizeof alphabet - 1)]);
  push_string (ctxt, out->str);
}

static void
fn_random (xmlXPathParserContextPtr ctxt,
           int                      nargs)
{
  if (!arity_between (ctxt, nargs, 0, 0))
    return;
  valuePush (ctxt, xmlXPathNewFloat (g_random_double ()));
}

/* once(x): the node's own value when it has one, else x. */
static void
fn_once (xmlXPathParserContextPtr ctxt,
         int                      nargs)
{
  g_autofree char *value = NULL;
  xmlNode *node;

  if (!arity_between (ctxt, nargs, 1, 1))
    return;
  value = pop_string (ctxt);
  node = _clmrs_form_session_current_node (session_of (ctxt));
  if (node != NULL)
    {
      xmlChar *own = xmlNodeGetContent (node);
      gboolean has = own != NULL && own[0] != '\0';

      if (has)
        {
          push_string (ctxt, (const char *) own);
          xmlFree (own);
          return;
        }
      xmlFree (own);
    }
  push_string (ctxt, value);
}

/* Appends the numbers of one argument (a node-set gives one per node). */
static void
collect_numbers (xmlXPathObjectPtr  object,
                 GArray            *numbers)
{
  if (object->type == XPATH_NODESET)
    {
      for (int i = 0; object->nodesetval != NULL && i < object->nodesetval->nodeNr; i++)
        {
          double value = xmlXPathCastNodeToNumber (object->nodesetval->nodeTab[i]);
          g_array_append_val (numbers, value);
        }
    }
  else
    {
      double value = xmlXPathCastToNumber (object);
      g_array_append_val (numbers, value);
    }
}

static void
min_max (xmlXPathParserContextPtr ctxt,
         int                      nargs,
         gboolean                 want_max)
{
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (double));
  double result = NAN;

  if (!arity_between (ctxt, nargs, 1, -1))
    return;
  for (int i = 0; i < nargs; i++)
    {
      xmlXPathObjectPtr object = valuePop (ctxt);
      collect_numbers (object, numbers);
      xmlXPathFreeObject (object);
    }
  for (guint i = 0; i < numbers->len; i++)
    {
      double value = g_array_index (numbers, double, i);
      if (isnan (value))
        {
          result = NAN;
          break;
        }
      if (i == 0 || (want_max ? value > result : value < result))
        result = value;
    }
  valuePush (ctxt, xmlXPathNewFloat (result));
}

static void
fn_min (xmlXPathParserContextPtr ctxt,
        int                      nargs)
{
  min_max (ctxt, nargs, FALSE);
}

static void
fn_max (xmlXPathParserContextPtr ctxt,
        int                      nargs)
{
  min_max (ctxt, nargs, TRUE);
}

/* Appends the strings of one argument (a node-set gives one per node). */
static void
collect_strings (xmlXPathObjectPtr  object,
                 GPtrArray         *strings)
{
  if (object->type == XPATH_NODESET)
    {
      for (int i = 0; object->nodesetval != NULL && i < object->nodesetval->nodeNr; i++)
        {
          xmlChar *text = xmlXPathCastNodeToString (object->nodesetval->nodeTab[i]);
          g_ptr_array_add (strings, g_strdup ((const char *) text));
          xmlFree (text);
        }
    }
  else
    {
      xmlChar *text = xmlXPathCastToString (object);
      g_ptr_array_add (strings, g_strdup ((const char *) text));
      xmlFree (text);
    }
}

static void
fn_join (xmlXPathParserContextPtr ctxt,
         int                      nargs)
{
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func ((GDestroyNotify) xmlXPathFreeObject);
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *separator = NULL;
  g_autofree char *joined = NULL;

  if (!arity_between (ctxt, nargs, 1, -1))
    return;
  for (int i = 1; i < nargs; i++)
    g_ptr_array_insert (objects, 0, valuePop (ctxt));
  separator = pop_string (ctxt);
  for (guint i = 0; i < objects->len; i++)
    collect_strings (objects->pdata[i], strings);
  g_ptr_array_add (strings, NULL);
  joined = g_strjoinv (separator, (char **) strings->pdata);
  push_string (ctxt, joined);
}

static void
fn_count_non_empty (xmlXPathParserContextPtr ctxt,
                    int                      nargs)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  xmlXPathObjectPtr object;
  guint count = 0;

  if (!arity_between (ctxt, nargs, 1, 1))
    return;
  object = valuePop (ctxt);
  collect_strings (object, strings);
  xmlXPathFreeObject (object);
  for (guint i = 0; i < strings->len; i++)
    count += ((char *) strings->pdata[i])[0] != '\0';
  valuePush (ctxt, xmlXPathNewFloat (count));
}

static void
fn_abs (xmlXPathParserContextPtr ctxt,
        int                      nargs)
{
  if (!arity_between (ctxt, nargs, 1, 1))
    return;
  valuePush (ctxt, xmlXPathNewFloat (fabs (xmlXPathPopNumber (ctxt))));
}

static void
fn_pow (xmlXPathParserContextPtr ctxt,
        int                      nargs)
{
  double exponent;

  if (!arity_between (ctxt, nargs, 2, 2))
    return;
  exponent = xmlXPathPopNumber (ctxt);
  valuePush (ctxt, xmlXPathNewFloat (pow (xmlXPathPopNumber (ctxt), exponent)));
}

/* position() as XPath has it, or ODK's position(node): the node's 1-based
 * index among its same-named siblings. */
static void
fn_position (xmlXPathParserContextPtr ctxt,
             int                      nargs)
{
  xmlNodeSetPtr nodes;
  xmlNode *node;
  int index = 1;

  if (!arity_between (ctxt, nargs, 0, 1))
    return;
  if (nargs == 0)
    {
      valuePush (ctxt, xmlXPathNewFloat (ctxt->context->proximityPosition));
      return;
    }
  nodes = xmlXPathPopNodeSet (ctxt);
  if (nodes == NULL || nodes->nodeNr == 0)
    {
      xmlXPathFreeNodeSet (nodes);
      valuePush (ctxt, xmlXPathNewFloat (NAN));
      return;
    }
  node = nodes->nodeTab[0];
  for (xmlNode *sibling = node->prev; sibling != NULL; sibling = sibling->prev)
    if (sibling->type == XML_ELEMENT_NODE && xmlStrEqual (sibling->name, node->name))
      index++;
  xmlXPathFreeNodeSet (nodes);
  valuePush (ctxt, xmlXPathNewFloat (index));
}

static void
fn_current (xmlXPathParserContextPtr ctxt,
            int                      nargs)
{
  xmlNode *node;

  if (!arity_between (ctxt, nargs, 0, 0))
    return;
  node = _clmrs_form_session_current_node (session_of (ctxt));
  valuePush (ctxt, xmlXPathNewNodeSet (node != NULL ? node : ctxt->context->node));
}

static void
fn_instance (xmlXPathParserContextPtr ctxt,
             int                      nargs)
{
  g_autofree char *id = NULL;
  xmlNode *node;

  if (!arity_between (ctxt, nargs, 1, 1))
    return;
  id = pop_string (ctxt);
  node = _clmrs_form_session_instance (session_of (ctxt), id);
  valuePush (ctxt, node != NULL ? xmlXPathNewNodeSet (node) : xmlXPathNewNodeSet (NULL));
}

static void
fn_itext (xmlXPathParserContextPtr ctxt,
          int                      nargs)
{
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;

  if (!arity_between (ctxt, nargs, 1, 1))
    return;
  id = pop_string (ctxt);
  text = _clmrs_form_session_itext (session_of (ctxt), id);
  push_string (ctxt, text);
}

static void
fn_choice_name (xmlXPathParserContextPtr ctxt,
                int                      nargs)
{
  g_autofree char *ref = NULL;
  g_autofree char *value = NULL;
  g_autofree char *label = NULL;

  if (!arity_between (ctxt, nargs, 2, 2))
    return;
  ref = g_strstrip (pop_string (ctxt));
  value = g_strstrip (pop_string (ctxt));
  label = _clmrs_form_session_choice_name (session_of (ctxt), value, ref);
  push_string (ctxt, label);
}

static gboolean
is_descendant_of (xmlNode *node,
                  xmlNode *ancestor)
{
  for (; node != NULL; node = node->parent)
    if (node == ancestor)
      return TRUE;
  return FALSE;
}

/* indexed-repeat(nodes, repeat, index[, repeat2, index2 ...]): the nodes
 * inside the index-th instance of each repeat. */
static void
fn_indexed_repeat (xmlXPathParserContextPtr ctxt,
                   int                      nargs)
{
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func ((GDestroyNotify) xmlXPathFreeObject);
  xmlXPathObjectPtr target;
  xmlNodeSetPtr result;

  if (!arity_between (ctxt, nargs, 3, -1) || nargs % 2 == 0)
    {
      if (nargs % 2 == 0)
        xmlXPathErr (ctxt, XPATH_INVALID_ARITY);
      return;
    }
  for (int i = 0; i < nargs; i++)
    g_ptr_array_insert (objects, 0, valuePop (ctxt));
  target = objects->pdata[0];
  if (target == NULL || target->type != XPATH_NODESET)
    {
      xmlXPathErr (ctxt, XPATH_INVALID_TYPE);
      return;
    }
  result = xmlXPathNodeSetCreate (NULL);
  for (int n = 0; target->nodesetval != NULL && n < target->nodesetval->nodeNr; n++)
    {
      xmlNode *node = target->nodesetval->nodeTab[n];
      gboolean keep = TRUE;

      for (guint pair = 1; keep && pair + 1 < objects->len; pair += 2)
        {
          xmlXPathObjectPtr repeat = objects->pdata[pair];
          double index = xmlXPathCastToNumber (objects->pdata[pair + 1]);

          if (repeat->type != XPATH_NODESET || repeat->nodesetval == NULL ||
              isnan (index) || index < 1 || index > repeat->nodesetval->nodeNr)
            keep = FALSE;
          else
            keep = is_descendant_of (node, repeat->nodesetval->nodeTab[(int) index - 1]);
        }
      if (keep)
        xmlXPathNodeSetAdd (result, node);
    }
  valuePush (ctxt, xmlXPathWrapNodeSet (result));
}

typedef struct {
  const char *ns;
  const char *name;
  XPathFunc   func;
} Function;

/* The text of @item's child element @name, or NULL when it has none. */
static xmlNode *
child_named (xmlNode    *item,
             const char *name)
{
  for (xmlNode *child = item->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE && xmlStrEqual (child->name, (const xmlChar *) name))
      return child;
  return NULL;
}

/* pulldata(instance, desired, query-column, query-value): the desired
 * column of the first item of instance('instance')/root/item whose
 * query-column is query-value; "" when none is. */
static void
fn_pulldata (xmlXPathParserContextPtr ctxt,
             int                      nargs)
{
  g_autofree char *id = NULL;
  g_autofree char *desired = NULL;
  g_autofree char *column = NULL;
  g_autofree char *wanted = NULL;
  xmlNode *instance;
  xmlNode *root = NULL;

  if (!arity_between (ctxt, nargs, 4, 4))
    return;
  wanted = pop_string (ctxt);
  column = pop_string (ctxt);
  desired = pop_string (ctxt);
  id = pop_string (ctxt);
  instance = _clmrs_form_session_instance (session_of (ctxt), id);
  for (xmlNode *child = instance != NULL ? instance->children : NULL; child != NULL && root == NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      root = child;
  for (xmlNode *item = root != NULL ? root->children : NULL; item != NULL; item = item->next)
    {
      xmlNode *key;
      xmlChar *text;
      gboolean match;

      if (item->type != XML_ELEMENT_NODE || (key = child_named (item, column)) == NULL)
        continue;
      text = xmlNodeGetContent (key);
      match = text != NULL && g_str_equal ((const char *) text, wanted);
      xmlFree (text);
      if (match)
        {
          xmlNode *value = child_named (item, desired);
          xmlChar *found = value != NULL ? xmlNodeGetContent (value) : NULL;
          push_string (ctxt, (const char *) found);
          xmlFree (found);
          return;
        }
    }
  push_string (ctxt, "");
}

/**
 * _clmrs_xpath_shuffle:
 * @seed: (nullable): the seed, or NULL for an unseeded order
 *
 * Shuffles @items in place as randomize() does: with a seed, in the order
 * JavaRosa and ODK Web Forms give (Park-Miller "minimal standard" numbers,
 * the inside-out Fisher-Yates shuffle, the seed truncated to an integer as
 * Java's long conversion does, NaN as 0).
 */
void
_clmrs_xpath_shuffle (gpointer     *items,
                      int           n,
                      const double *seed)
{
  const gint64 modulus = 2147483647;
  g_autofree gpointer *out = g_new0 (gpointer, MAX (n, 1));
  gint64 state = 0;

  if (seed != NULL)
    {
      double value = isnan (*seed) ? 0 : CLAMP (*seed, -9.2e18, 9.2e18);

      state = (gint64) trunc (value) % modulus;
      if (state <= 0)
        state += modulus - 1;
    }
  for (int i = 0; i < n; i++)
    {
      double r;
      int j;

      if (seed != NULL)
        {
          state = state * 16807 % modulus;
          r = (double) (state - 1) / (double) (modulus - 1);
        }
      else
        r = g_random_double ();
      j = (int) floor (r * (i + 1));
      if (j != i)
        out[i] = out[j];
      out[j] = items[i];
    }
  memcpy (items, out, n * sizeof (gpointer));
}

/* randomize(nodes[, seed]).  libxml2 puts a node-set result back in
 * document order, so an itemset's randomize() is applied by the engine
 * (xform-prompts.c); this one serves where the order does not survive anyway
 * (count(randomize(...)) and the like). */
static void
fn_randomize (xmlXPathParserContextPtr ctxt,
              int                      nargs)
{
  xmlXPathObjectPtr nodes;
  double seed = 0;

  if (!arity_between (ctxt, nargs, 1, 2))
    return;
  if (nargs == 2)
    seed = xmlXPathPopNumber (ctxt);
  nodes = valuePop (ctxt);
  if (nodes == NULL || nodes->type != XPATH_NODESET)
    {
      xmlXPathFreeObject (nodes);
      xmlXPathErr (ctxt, XPATH_INVALID_TYPE);
      return;
    }
  if (nodes->nodesetval != NULL)
    _clmrs_xpath_shuffle ((gpointer *) nodes->nodesetval->nodeTab, nodes->nodesetval->nodeNr,
                          nargs == 2 ? &seed : NULL);
  valuePush (ctxt, nodes);
}

/* clmrs-root(): the filling's document node, what "/" means in a form
 * (xform-expr.c writes it before absolute paths inside secondary instances'
 * predicates, where libxml2 would read "/" as their own document). */
/* --- geographic functions (the spec's area() and distance()) --- */

/* JavaRosa's GeoUtils: the Earth's equatorial radius it uses, in metres. */
#define EARTH_RADIUS_M 6378100.0

/* The points of @text (geopoints separated by ';'), lat and lon in degrees
 * as pairs; FALSE when one does not parse. */
static gboolean
parse_points (const char *text,
              GArray     *out)
{
  g_auto(GStrv) points = g_strsplit (text, ";", -1);

  for (guint i = 0; points[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit_set (g_strstrip (points[i]), " \t\n", -1);
      double latlon[2];
      guint found = 0;

      for (guint j = 0; parts[j] != NULL && found < 2; j++)
        {
          char *end = NULL;

          if (parts[j][0] == '\0')
            continue;
          latlon[found++] = g_ascii_strtod (parts[j], &end);
          if (end == parts[j] || *end != '\0' || !isfinite (latlon[found - 1]))
            return FALSE;
        }
      if (found == 0 && points[i + 1] == NULL && i > 0)
        break;   /* a trailing ';' */
      if (found < 2 || fabs (latlon[0]) > 90 || fabs (latlon[1]) > 180)
        return FALSE;
      g_array_append_vals (out, latlon, 2);
    }
  return TRUE;
}

double
clmrs_geo_area (const char *points)
{
  g_autoptr(GArray) p = g_array_new (FALSE, FALSE, sizeof (double));
  double circumference = 2 * G_PI * EARTH_RADIUS_M;
  double sum = 0, px = 0, py = 0;
  guint n;

  if (!parse_points (points != NULL ? points : "", p))
    return NAN;
  n = p->len / 2;
  if (n < 3)
    return 0;
  /* JavaRosa's: each point as metres east and north of the first (the
   * east scaled by its own latitude), the polygon's area by triangles
   * from the first point */
  for (guint i = 1; i < n; i++)
    {
      double lat = g_array_index (p, double, 2 * i);
      double lon = g_array_index (p, double, 2 * i + 1);
      double y = (lat - g_array_index (p, double, 0)) * circumference / 360.0;
      double x = (lon - g_array_index (p, double, 1)) * circumference * cos (lat * G_PI / 180.0) / 360.0;

      if (i > 1)
        sum += (py * x - px * y) / 2;
      px = x;
      py = y;
    }
  return fabs (sum);
}

double
clmrs_geo_distance (const char *points)
{
  g_autoptr(GArray) p = g_array_new (FALSE, FALSE, sizeof (double));
  double total = 0;

  if (!parse_points (points != NULL ? points : "", p))
    return NAN;
  /* the great-circle (haversine) length of each leg, in order */
  for (guint i = 1; i < p->len / 2; i++)
    {
      double lat1 = g_array_index (p, double, 2 * i - 2) * G_PI / 180.0;
      double lat2 = g_array_index (p, double, 2 * i) * G_PI / 180.0;
      double dlat = lat2 - lat1;
      double dlon = (g_array_index (p, double, 2 * i + 1) - g_array_index (p, double, 2 * i - 1)) * G_PI / 180.0;
      double a = sin (dlat / 2) * sin (dlat / 2) + cos (lat1) * cos (lat2) * sin (dlon / 2) * sin (dlon / 2);

      total += EARTH_RADIUS_M * 2 * atan2 (sqrt (a), sqrt (1 - a));
    }
  return total;
}

/* The argument of area() or distance(): a node-set of geopoints (each
 * node one point), or one geotrace or geoshape value. */
static char *
pop_points (xmlXPathParserContextPtr ctxt)
{
  xmlXPathObjectPtr object = valuePop (ctxt);
  GString *points = g_string_new (NULL);

  if (object != NULL && object->type == XPATH_NODESET && object->nodesetval != NULL)
    for (int i = 0; i < object->nodesetval->nodeNr; i++)
      {
        xmlChar *text = xmlNodeGetContent (object->nodesetval->nodeTab[i]);

        if (text != NULL && *text != '\0')
          g_string_append_printf (points, "%s%s", points->len ? ";" : "", (const char *) text);
        xmlFree (text);
      }
  else if (object != NULL)
    {
      xmlChar *text = xmlXPathCastToString (object);

      g_string_append (points, (const char *) text);
      xmlFree (text);
    }
  xmlXPathFreeObject (object);
  return g_string_free (points, FALSE);
}

static void
fn_area (xmlXPathParserContextPtr ctxt,
         int                      nargs)
{
  g_autofree char *points = NULL;

  if (!arity_between (ctxt, nargs, 1, 1))
    return;
  points = pop_points (ctxt);
  valuePush (ctxt, xmlXPathNewFloat (clmrs_geo_area (points)));
}

static void
fn_distance (xmlXPathParserContextPtr ctxt,
             int                      nargs)
{
  g_autofree char *points = NULL;

  if (!arity_between (ctxt, nargs, 1, 1))
    return;
  points = pop_points (ctxt);
  valuePush (ctxt, xmlXPathNewFloat (clmrs_geo_distance (points)));
}

static void
fn_root (xmlXPathParserContextPtr ctxt,
         int                      nargs)
{
  xmlNode *current;

  if (!arity_between (ctxt, nargs, 0, 0))
    return;
  current = _clmrs_form_session_current_node (session_of (ctxt));
  valuePush (ctxt, xmlXPathNewNodeSet (current != NULL ? (xmlNode *) current->doc
                                                       : (xmlNode *) ctxt->context->doc));
}

static const Function functions[] = {
  { NULL, "clmrs-root", fn_root },
  { NULL, "area", fn_area },
  { NULL, "distance", fn_distance },
  { NULL, "pulldata", fn_pulldata },
  { NULL, "randomize", fn_randomize },
  { NULL, "selected", fn_selected },
  { NULL, "count-selected", fn_count_selected },
  { NULL, "selected-at", fn_selected_at },
  { NULL, "if", fn_if },
  { NULL, "coalesce", fn_coalesce },
  { NULL, "today", fn_today },
  { NULL, "now", fn_now },
  { NULL, "int", fn_int },
  { NULL, "round", fn_round },
  { NULL, "boolean-from-string", fn_boolean_from_string },
  { NULL, "regex", fn_regex },
  { NULL, "substr", fn_substr },
  { NULL, "format-date", fn_format_date },
  { NULL, "format-date-time", fn_format_date },
  { NULL, "decimal-date-time", fn_decimal_date_time },
  { NULL, "date", fn_date },
  { NULL, "uuid", fn_uuid },
  { NULL, "random", fn_random },
  { NULL, "once", fn_once },
  { NULL, "min", fn_min },
  { NULL, "max", fn_max },
  { NULL, "join", fn_join },
  { NULL, "count-non-empty", fn_count_non_empty },
  { NULL, "abs", fn_abs },
  { NULL, "pow", fn_pow },
  { NULL, "position", fn_position },
  { NULL, "current", fn_current },
  { NULL, "instance", fn_instance },
  { NULL, "indexed-repeat", fn_indexed_repeat },
  { CLMRS_JR_NS, "itext", fn_itext },
  { CLMRS_JR_NS, "choice-name", fn_choice_name },
};

/* XPath 1.0's own library, which libxml2 provides. */
static const char *builtins[] = {
  "last", "position", "count", "id", "local-name", "namespace-uri", "name",
  "string", "concat", "starts-with", "contains", "substring-before",
  "substring-after", "substring", "string-length", "normalize-space",
  "translate", "boolean", "not", "true", "false", "lang", "number", "sum",
  "floor", "ceiling", "round",
};

/* Registers every ODK function on @context, replacing XPath's round() and
 * position() by ODK's wider ones.  The jr: ones are under CLMRS_JR_NS. */
void
_clmrs_xpath_register_functions (xmlXPathContext *context)
{
  for (gsize i = 0; i < G_N_ELEMENTS (functions); i++)
    {
      const xmlChar *ns = (const xmlChar *) functions[i].ns;
      const xmlChar *name = (const xmlChar *) functions[i].name;

      xmlXPathRegisterFuncNS (context, name, ns, NULL);
      xmlXPathRegisterFuncNS (context, name, ns, functions[i].func);
    }
}

/* TRUE when a call to @name (in @ns_uri, NULL for none) can be evaluated. */
gboolean
_clmrs_xpath_function_exists (const char *ns_uri,
                              const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (functions); i++)
    if (g_strcmp0 (functions[i].ns, ns_uri) == 0 && g_str_equal (functions[i].name, name))
      return TRUE;
  if (ns_uri != NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (builtins); i++)
    if (g_str_equal (builtins[i], name))
      return TRUE;
  return FALSE;
}
