/* xform-media.c: a form's external secondary instances, read from its media files (XML, CSV). */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

#include <libxml/parser.h>
#include <string.h>

/*
 * ODK XForms (the spec's "External secondary instances"): jr://file/NAME.xml
 * is an XML document whose root becomes the instance's root; a
 * jr://file-csv/NAME.csv becomes <root><item><COLUMN>cell</COLUMN>...</item>...</root>,
 * one item per row, the first row naming the columns.  Both end up as
 * nodes of the form's own document, so that the lists are freed with the
 * form and every session reads them without a copy.
 */

/* A column name XPath can reach: an XML NCName. */
static gboolean
is_column_name (const char *name)
{
  return name[0] != '\0' && xmlValidateNCName ((const xmlChar *) name, 0) == 0;
}

/* Splits one CSV record starting at *@at (RFC 4180: quoted cells may hold
 * commas, newlines and doubled quotes); moves *@at past its line end.
 * Returns NULL with @error on a quote left open. */
static GPtrArray *
read_record (const char  *data,
             gsize        length,
             gsize       *at,
             guint        line,
             GError     **error)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) cell = g_string_new (NULL);
  gsize i = *at;

  for (;;)
    {
      if (i < length && data[i] == '"')
        {
          i++;
          for (;;)
            {
              if (i >= length)
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "line %u: a quoted cell is not closed", line);
                  return NULL;
                }
              if (data[i] == '"' && i + 1 < length && data[i + 1] == '"')
                {
                  g_string_append_c (cell, '"');
                  i += 2;
                }
              else if (data[i] == '"')
                {
                  i++;
                  break;
                }
              else
                g_string_append_c (cell, data[i++]);
            }
        }
      while (i < length && data[i] != ',' && data[i] != '\n' && data[i] != '\r')
        g_string_append_c (cell, data[i++]);
      g_ptr_array_add (cells, g_strdup (cell->str));
      g_string_truncate (cell, 0);
      if (i < length && data[i] == ',')
        {
          i++;
          continue;
        }
      if (i < length && data[i] == '\r')
        i++;
      if (i < length && data[i] == '\n')
        i++;
      break;
    }
  *at = i;
  return g_steal_pointer (&cells);
}

static xmlNode *
instance_from_csv (xmlDoc      *doc,
                   const char  *data,
                   gsize        length,
                   GError     **error)
{
  g_autoptr(GPtrArray) header = NULL;
  xmlNode *root;
  gsize at = 0;
  guint line = 1;

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    at = 3;
  if (!g_utf8_validate (data + at, length - at, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the file is not UTF-8 text");
      return NULL;
    }
  if (at >= length)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the file is empty: its first row names the columns");
      return NULL;
    }
  header = read_record (data, length, &at, line, error);
  if (header == NULL)
    return NULL;
  for (guint c = 0; c < header->len; c++)
    {
      char *name = g_strstrip ((char *) header->pdata[c]);
      if (!is_column_name (name))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "column %u of the first row, '%s', is not a name XPath can use "
                       "(letters, digits, '_', '-', '.', not starting with a digit)", c + 1, name);
          return NULL;
        }
    }
  root = xmlNewDocNode (doc, NULL, (const xmlChar *) "root", NULL);
  while (at < length)
    {
      g_autoptr(GPtrArray) cells = NULL;
      xmlNode *item;

      line++;
      cells = read_record (data, length, &at, line, error);
      if (cells == NULL)
        {
          xmlFreeNode (root);
          return NULL;
        }
      if (cells->len == 1 && ((char *) cells->pdata[0])[0] == '\0')
        continue;   /* a blank line */
      item = xmlNewChild (root, NULL, (const xmlChar *) "item", NULL);
      for (guint c = 0; c < header->len; c++)
        {
          xmlNode *cell = xmlNewChild (item, NULL, (const xmlChar *) header->pdata[c], NULL);
          if (c < cells->len && ((char *) cells->pdata[c])[0] != '\0')
            xmlNodeAddContent (cell, (const xmlChar *) cells->pdata[c]);
        }
    }
  return root;
}

/* Removes the default namespace from elements, so that XPath 1.0 names
 * without a prefix match them (xform.c reads every instance through it). */
void
_clmrs_xml_strip_default_namespace (xmlNode *node)
{
  for (; node != NULL; node = node->next)
    {
      if (node->type != XML_ELEMENT_NODE)
        continue;
      if (node->ns != NULL && node->ns->prefix == NULL)
        node->ns = NULL;
      _clmrs_xml_strip_default_namespace (node->children);
    }
}

static xmlNode *
instance_from_xml (xmlDoc      *doc,
                   const char  *data,
                   gsize        length,
                   GError     **error)
{
  xmlDoc *parsed;
  xmlNode *root;
  xmlNode *copy;

  if (length > G_MAXINT)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the file is too large");
      return NULL;
    }
  parsed = xmlReadMemory (data, (int) length, NULL, NULL,
                          XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR | XML_PARSE_NOBLANKS);
  root = parsed != NULL ? xmlDocGetRootElement (parsed) : NULL;
  if (root == NULL)
    {
      const xmlError *last = xmlGetLastError ();
      g_autofree char *message = g_strstrip (g_strdup (last && last->message ? last->message : "no document"));
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the XML is not well formed: %s", message);
      if (parsed != NULL)
        xmlFreeDoc (parsed);
      return NULL;
    }
  _clmrs_xml_strip_default_namespace (root);
  copy = xmlDocCopyNode (root, doc, 1);
  xmlFreeDoc (parsed);
  return copy;
}

/**
 * _clmrs_xform_media_instance:
 * @doc: the document the instance's nodes are made in
 * @name: the media file's name, its extension saying its format
 * @csv: TRUE for jr://file-csv/ (also any name ending in .csv)
 *
 * Returns: (transfer full): the instance's root element, unlinked, or
 * %NULL with @error saying what is wrong with the file's content.
 */
xmlNode *
_clmrs_xform_media_instance (xmlDoc      *doc,
                             const char  *name,
                             gboolean     csv,
                             GBytes      *bytes,
                             GError     **error)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  if (csv || g_str_has_suffix (name, ".csv"))
    return instance_from_csv (doc, data ? data : "", length, error);
  return instance_from_xml (doc, data ? data : "", length, error);
}
