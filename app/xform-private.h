/* xform-private.h: what the parts of the form engine (app/xform*.c) and its XPath functions share. */
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

/* ------------------------------------------------------------------ */
/* The form's parts                                                    */

typedef struct _NodeDef  NodeDef;
typedef struct _Bind     Bind;
typedef struct _BodyNode BodyNode;

/* A compiled expression and the instance nodes it reads. */
typedef struct {
  char              *source;
  xmlXPathCompExpr  *comp;
  GPtrArray         *deps;         /* NodeDef*, borrowed */
  gboolean           depends_all;
} Expr;

/* A piece of a label: literal text or an <output value=.../>. */
typedef struct {
  char *text;
  Expr *expr;
} Segment;

/* A label, hint or message: inline segments, or per itext language. */
typedef struct {
  GPtrArray  *plain;     /* Segment*, or NULL */
  GHashTable *by_lang;   /* language -> GPtrArray of Segment*, or NULL */
} Label;

/* One node of the primary instance, generically (no repeat indices). */
struct _NodeDef {
  char      *path;
  char      *name;
  NodeDef   *parent;
  GPtrArray *children;   /* NodeDef*, borrowed (all owned by the form) */
  guint      depth;      /* the root is 1 */
  guint      order;      /* document order */
  gboolean   repeat;
  Bind      *bind;
  BodyNode  *control;    /* the input/select/trigger bound to it */
  BodyNode  *repeat_body;
  xmlNode   *template;   /* in the form document */
};

struct _Bind {
  NodeDef       *def;
  int            line;
  char          *desc;
  ClmrsDataType  type;
  gboolean       typed;
  Expr          *relevant;
  Expr          *required;
  Expr          *constraint;
  Expr          *calculate;
  Expr          *readonly;
  Label         *constraint_msg;
  Label         *required_msg;
  char          *preload;
  char          *preload_params;
  char          *entity;
  char          *profile;
  char          *field;
  char          *id;
  guint          max_pixels;  /* orx:max-pixels: an image's longest edge, 0 if none */
  guint          state;   /* topological sort */
};

typedef struct {
  NodeDef  *target;
  Expr     *value;       /* NULL: literal */
  char     *literal;
  gboolean  first_load;
  gboolean  new_repeat;
  gboolean  geopoint;    /* odk:setgeopoint: the device's location, not a value */
  NodeDef  *trigger;     /* xforms-value-changed of this question, or NULL */
  NodeDef  *repeat;      /* the repeat whose body holds it, or NULL */
} SetValue;

typedef struct {
  char  *value;
  Label *label;
} Item;

typedef enum {
  BODY_GROUP,
  BODY_REPEAT,
  BODY_INPUT,
  BODY_SELECT1,
  BODY_SELECT,
  BODY_TRIGGER,
  BODY_RANGE,
  BODY_RANK,
  BODY_UPLOAD,
} BodyKind;

#define IS_CHOICE_KIND(kind) ((kind) == BODY_SELECT1 || (kind) == BODY_SELECT || (kind) == BODY_RANK)

struct _BodyNode {
  BodyKind   kind;
  NodeDef   *def;          /* NULL for a group without ref */
  int        line;
  Label     *label;
  Label     *hint;
  char      *appearance;
  GPtrArray *children;     /* BodyNode*, owned */
  GPtrArray *items;        /* Item*, owned; static choices */
  Expr      *itemset;
  Expr      *item_value;
  Expr      *item_label;
  Expr      *count;
  gboolean   no_add_remove;
  gboolean   randomize;    /* the itemset was randomize(itemset[, seed]) */
  GHashTable *filter_index; /* instance('x')/root/item[col = path]: col's value -> GPtrArray of items */
  Expr      *filter_value;  /* that path, evaluated at the question */
  Expr      *randomize_seed;
  double     range_start;  /* <range>: start, end and step */
  double     range_end;
  double     range_step;
  char      *mediatype;    /* <upload>: its mediatype, or NULL */
};

struct _ClmrsForm {
  gint        ref_count;
  char       *origin;
  xmlDoc     *doc;
  char       *id;
  char       *version;
  char       *title;
  GPtrArray  *languages;     /* char*, NULL-terminated */
  char       *default_lang;
  GHashTable *itext;         /* language -> (id -> xmlNode* <value>) */
  xmlNode    *primary;       /* root element of the primary instance */
  GHashTable *instances;     /* id -> <instance> element */
  GHashTable *defs;          /* path -> NodeDef*, owned */
  NodeDef    *root;
  GPtrArray  *binds;         /* Bind*, owned */
  GHashTable *binds_by_id;   /* bind @id -> Bind* */
  GPtrArray  *calc_order;    /* Bind*, dependencies first */
  GPtrArray  *relevance;     /* Bind* with relevant, document order */
  GHashTable *calc_dependents;     /* NodeDef* -> GPtrArray of Bind* */
  GHashTable *relevant_dependents; /* NodeDef* -> GPtrArray of Bind* */
  GPtrArray  *setvalues;     /* SetValue*, owned */
  GPtrArray  *counted;       /* BodyNode* repeats with jr:count */
  BodyNode   *body;
  GPtrArray  *namespaces;    /* prefix, uri, prefix, uri ... */
  NodeDef    *instance_id;
  char       *last_saved_id; /* the instance with src jr://instance/last-saved, or NULL */
  GPtrArray  *exprs;         /* Expr*, owned */
  GPtrArray  *labels;        /* Label*, owned */
};

struct _ClmrsFormSession {
  ClmrsForm        *form;
  xmlDoc           *doc;
  xmlXPathContext  *xpath;
  xmlNode          *current;
  char             *language;
  GHashTable       *nonrelevant;  /* xmlNode*: a relevant expression is false there */
  GHashTable       *stash;        /* leaf xmlNode* -> its value, while the leaf is not relevant */
  char             *instance_id;
  char             *location;     /* the device's geopoint, NULL until known */
  GHashTable       *awaiting_location; /* xmlNode*: setgeopoint targets fired before it was */
  GHashTable       *properties;   /* jr:preload="property" name -> value */
  GHashTable       *instances;    /* id -> <instance> owned by the session (jr://instance/last-saved) */
  xmlDoc           *last_saved;   /* holds them, or NULL */
};

/* What loading a form carries from part to part. */
typedef struct {
  ClmrsForm        *form;
  GPtrArray        *problems;   /* ClmrsFormProblem* */
  GArray           *codes;      /* ClmrsXformError, parallel */
  xmlXPathContext  *xpath;      /* for compiling */
  GString          *xpath_error;
  ClmrsFormMediaFunc media;     /* external instances' files, or NULL */
  gpointer         media_data;
} Loader;

void      _xform_add_problem (Loader     *loader,
                              int         code,
                              int         line,
                              const char *node,
                              const char *format,
                              ...) G_GNUC_PRINTF (5, 6);
void      _xform_add_warning (Loader     *loader,
                              int         line,
                              const char *node,
                              const char *format,
                              ...) G_GNUC_PRINTF (4, 5);

/* Small helpers of the hot paths (relevance, recalculation), inline in every part. */
static inline gboolean
_xform_is_ancestor_or_self (NodeDef *ancestor,
                            NodeDef *def)
{
  for (; def != NULL; def = def->parent)
    if (def == ancestor)
      return TRUE;
  return FALSE;
}

static inline gboolean
_xform_def_is_leaf (NodeDef *def)
{
  return def->children->len == 0;
}

/* The NodeDef of an element of the instance document, NULL for anything else. */
static inline NodeDef *
_xform_def_of (xmlNode *node)
{
  return node != NULL && node->type == XML_ELEMENT_NODE ? node->_private : NULL;
}

/* xform.c */
void      _xform_segment_free        (Segment *segment);
void      _xform_expr_free           (Expr *expr);
void      _xform_label_free          (Label *label);
void      _xform_node_def_free       (NodeDef *def);
void      _xform_bind_free           (Bind *bind);
void      _xform_setvalue_free       (SetValue *setvalue);
void      _xform_item_free           (Item *item);
void      _xform_body_node_free      (BodyNode *node);
NodeDef  *_xform_def_child           (NodeDef    *def,
                                      const char *name);
int       _xform_line_of             (xmlNode *node);
char     *_xform_get_attr            (xmlNode    *node,
                                      const char *name);
char     *_xform_get_ns_attr         (xmlNode    *node,
                                      const char *name,
                                      const char *ns);
gboolean  _xform_is_element          (xmlNode    *node,
                                      const char *ns,
                                      const char *name);
char     *_xform_qname_of            (xmlNode *node);
gboolean  _xform_is_blank            (const char *text);
char     *_xform_node_text           (xmlNode *node);

/* xform-expr.c */
void      _xform_capture_xpath_error (void        *data,
                                      xmlErrorPtr  error);
Expr     *_xform_compile_expr        (Loader     *loader,
                                      const char *source,
                                      NodeDef    *context,
                                      NodeDef    *current,
                                      int         line,
                                      const char *node,
                                      const char *what);
Expr     *_xform_compile_expr_lifted (Loader     *loader,
                                      const char *source,
                                      NodeDef    *context,
                                      NodeDef    *current,
                                      NodeDef    *lifted,
                                      int         line,
                                      const char *node,
                                      const char *what);

/* xform-load.c */
Label    *_xform_load_label          (Loader     *loader,
                                      xmlNode    *element,
                                      NodeDef    *context,
                                      const char *node);
NodeDef  *_xform_lookup_def          (ClmrsForm  *form,
                                      const char *ref,
                                      NodeDef    *scope);
void      _xform_load_setvalue       (Loader  *loader,
                                      xmlNode *element,
                                      NodeDef *scope,
                                      NodeDef *control);
void      _xform_register_namespaces (ClmrsForm       *form,
                                      xmlXPathContext *context);

/* xform-body.c */
void      _xform_index_itemset      (Loader     *loader,
                                     BodyNode   *node,
                                     const char *source,
                                     int         line,
                                     const char *desc);
void      _xform_load_body_children (Loader   *loader,
                                     xmlNode  *element,
                                     BodyNode *parent,
                                     NodeDef  *scope);

/* xform-session.c */
void      _xform_remove_templates (xmlNode *node);
char     *_xform_node_value       (xmlNode *node);
gboolean  _xform_node_has_value   (xmlNode *node);
gboolean  _xform_set_node_value   (xmlNode    *node,
                                   const char *value);
char     *_xform_ref_of           (xmlNode *node);
xmlNode  *_xform_resolve_ref      (ClmrsFormSession *session,
                                   const char       *ref);
xmlNode  *_xform_find_below       (xmlNode *scope,
                                   NodeDef *def);
void      _xform_collect_nodes    (xmlNode   *node,
                                   NodeDef   *target,
                                   GPtrArray *out);
GPtrArray *_xform_nodes_of         (ClmrsFormSession *session,
                                    NodeDef          *def);
gboolean  _xform_is_relevant      (ClmrsFormSession *session,
                                   xmlNode          *node);
char     *_xform_read_value       (ClmrsFormSession *session,
                                   xmlNode          *node);
gboolean  _xform_store_value      (ClmrsFormSession *session,
                                   xmlNode          *node,
                                   const char       *value);
gboolean  _xform_sync_stash       (ClmrsFormSession *session,
                                   xmlNode          *node,
                                   gboolean          parent_relevant,
                                   GPtrArray        *changed);
xmlNode  *_xform_create_instance  (ClmrsFormSession *session,
                                   xmlNode          *parent,
                                   NodeDef          *def,
                                   gboolean          events);
guint     _xform_count_instances  (xmlNode *parent,
                                   NodeDef *def,
                                   xmlNode **last);
void      _xform_remove_instance  (ClmrsFormSession *session,
                                   xmlNode          *node);
gboolean  _xform_sync_counts      (ClmrsFormSession *session);
xmlNode  *_xform_resolve_repeat   (ClmrsFormSession  *session,
                                   const char        *repeat_path,
                                   NodeDef          **def_out,
                                   GError           **error);

/* xform-calculate.c */
void      _xform_silent_xpath_error  (void        *data,
                                      xmlErrorPtr  error);
xmlXPathObjectPtr _xform_evaluate            (ClmrsFormSession *session,
                                              Expr             *expr,
                                              xmlNode          *node,
                                              xmlNode          *current);
gboolean  _xform_evaluate_boolean    (ClmrsFormSession *session,
                                      Expr             *expr,
                                      xmlNode          *node,
                                      gboolean          fallback);
char     *_xform_evaluate_string     (ClmrsFormSession *session,
                                      Expr             *expr,
                                      xmlNode          *node,
                                      xmlNode          *current);
void      _xform_calculate_in        (ClmrsFormSession *session,
                                      Bind             *bind,
                                      xmlNode          *within);
void      _xform_recalculate_all     (ClmrsFormSession *session,
                                      gboolean          constants);
void      _xform_recalculate_from    (ClmrsFormSession *session,
                                      NodeDef          *changed);
void      _xform_settle_new_instance (ClmrsFormSession *session,
                                      NodeDef          *def,
                                      xmlNode          *instance);
void      _xform_preload_subtree     (ClmrsFormSession *session,
                                      xmlNode          *node,
                                      gboolean          at_end);
void      _xform_run_setvalue        (ClmrsFormSession *session,
                                      SetValue         *setvalue,
                                      xmlNode          *node);

/* xform-prompts.c */
char     *_xform_render_label   (ClmrsFormSession *session,
                                 Label            *label,
                                 xmlNode          *context);
GPtrArray *_xform_choices_of     (ClmrsFormSession *session,
                                  BodyNode         *control,
                                  xmlNode          *node);
char     *_xform_instance_field (ClmrsFormSession *session,
                                 xmlNode          *instance,
                                 const char       *field);
ClmrsDataType _xform_type_of        (NodeDef *def);
gboolean  _xform_is_required    (ClmrsFormSession *session,
                                 xmlNode          *node);
gboolean  _xform_is_readonly    (ClmrsFormSession *session,
                                 xmlNode          *node);

/* xform-answers.c */
gboolean  _xform_is_decimal      (const char *value);
gboolean  _xform_lexical_ok      (ClmrsDataType  type,
                                  const char    *value);
const char *_xform_type_name       (ClmrsDataType type);
gboolean  _xform_text_ok         (const char *value);
char     *_xform_normalize_value (ClmrsFormSession  *session,
                                  xmlNode           *node,
                                  const char        *ref,
                                  const char        *value,
                                  gboolean           check_choices,
                                  GError           **error);
xmlNode  *_xform_resolve_leaf    (ClmrsFormSession  *session,
                                  const char        *ref,
                                  GError           **error);

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

/* xform-session.c and xform-prompts.c, for the functions: the session is the
 * XPath context's userData (NULL while a form is only being checked). */
xmlNode  *_clmrs_form_session_current_node (ClmrsFormSession *session);
xmlNode  *_clmrs_form_session_instance     (ClmrsFormSession *session,
                                            const char       *id);
char     *_clmrs_form_session_itext        (ClmrsFormSession *session,
                                            const char       *id);
char     *_clmrs_form_session_choice_name  (ClmrsFormSession *session,
                                            const char       *value,
                                            const char       *ref);

G_END_DECLS
