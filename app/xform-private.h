/* xform-private.h: what the ODK XPath functions need from the form engine. */
#pragma once

#include "xform.h"

#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

G_BEGIN_DECLS

#define CLMRS_XFORMS_NS "http://www.w3.org/2002/xforms"
#define CLMRS_JR_NS     "http://openrosa.org/javarosa"
#define CLMRS_ORX_NS    "http://openrosa.org/xforms"
#define CLMRS_ODK_NS    "http://www.opendatakit.org/xforms"
#define CLMRS_H_NS      "http://www.w3.org/1999/xhtml"
#define CLMRS_CLMRS_NS  "urn:clmrs:xforms:1"

/* xpath-functions.c */
void      _clmrs_xpath_register_functions (xmlXPathContext *context);
gboolean  _clmrs_xpath_function_exists    (const char      *ns_uri,
                                           const char      *name);
void      _clmrs_xpath_shuffle            (gpointer        *items,
                                           int              n,
                                           const double    *seed);

/* xform-media.c */
void      _clmrs_xml_strip_default_namespace (xmlNode     *node);
xmlNode  *_clmrs_xform_media_instance     (xmlDoc          *doc,
                                           const char      *name,
                                           gboolean         csv,
                                           GBytes          *bytes,
                                           GError         **error);

/* xform.c, for the functions: the session is the XPath context's userData
 * (NULL while a form is only being checked). */
xmlNode  *_clmrs_form_session_current_node (ClmrsFormSession *session);
xmlNode  *_clmrs_form_session_instance     (ClmrsFormSession *session,
                                            const char       *id);
char     *_clmrs_form_session_itext        (ClmrsFormSession *session,
                                            const char       *id);
char     *_clmrs_form_session_choice_name  (ClmrsFormSession *session,
                                            const char       *value,
                                            const char       *ref);

G_END_DECLS
