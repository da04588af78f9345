/* xpath-parse.h: the engine's one XPath 1.0 parser: tokens, a syntax tree, and edits on the source. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Every expression of a form is parsed once, here.  The tree serves two
 * readers: the form engine (app/xform-expr.c) walks it for the instance
 * nodes an expression reads and for the edits that contextualise its paths,
 * and app/xpath-rewrite.c adds the edits that turn its relational
 * comparisons into date-aware calls.  Both kinds of edit are applied to the
 * source in one pass (clmrs_xpath_apply_edits()), and libxml2 compiles the
 * result.
 *
 * A syntax error reads
 *   invalid XPath at character 7 of ". <= (": expected an expression, found ...
 * (the position counts characters from 1); the caller adds the file, line
 * and node.  Expressions nested more than 128 levels deep (parentheses,
 * predicates, arguments, unary minus) are refused (CLMRS_XPATH_ERROR_TOO_DEEP).
 */

#define CLMRS_XPATH_ERROR (clmrs_xpath_error_quark ())

typedef enum {
  CLMRS_XPATH_ERROR_SYNTAX,     /* not an XPath 1.0 expression */
  CLMRS_XPATH_ERROR_TOO_DEEP,   /* nested deeper than the parser allows */
} ClmrsXPathError;

/* Tokens (XPath 1.0 section 3.7). */
typedef enum {
  CLMRS_XPATH_TOKEN_END,
  CLMRS_XPATH_TOKEN_LPAREN,
  CLMRS_XPATH_TOKEN_RPAREN,
  CLMRS_XPATH_TOKEN_LBRACKET,
  CLMRS_XPATH_TOKEN_RBRACKET,
  CLMRS_XPATH_TOKEN_DOT,
  CLMRS_XPATH_TOKEN_DOTDOT,
  CLMRS_XPATH_TOKEN_AT,
  CLMRS_XPATH_TOKEN_COMMA,
  CLMRS_XPATH_TOKEN_COLONCOLON,
  CLMRS_XPATH_TOKEN_NAMETEST,   /* *, prefix:*, QName */
  CLMRS_XPATH_TOKEN_NODETYPE,   /* comment text processing-instruction node, before '(' */
  CLMRS_XPATH_TOKEN_FUNCTION,   /* a QName before '(' that is not a node type */
  CLMRS_XPATH_TOKEN_AXIS,       /* an NCName before '::' */
  CLMRS_XPATH_TOKEN_LITERAL,
  CLMRS_XPATH_TOKEN_NUMBER,
  CLMRS_XPATH_TOKEN_VARIABLE,
  /* Operators: everything from here on. */
  CLMRS_XPATH_TOKEN_AND,
  CLMRS_XPATH_TOKEN_OR,
  CLMRS_XPATH_TOKEN_MOD,
  CLMRS_XPATH_TOKEN_DIV,
  CLMRS_XPATH_TOKEN_MUL,
  CLMRS_XPATH_TOKEN_SLASH,
  CLMRS_XPATH_TOKEN_DSLASH,
  CLMRS_XPATH_TOKEN_PIPE,
  CLMRS_XPATH_TOKEN_PLUS,
  CLMRS_XPATH_TOKEN_MINUS,
  CLMRS_XPATH_TOKEN_EQ,
  CLMRS_XPATH_TOKEN_NEQ,
  CLMRS_XPATH_TOKEN_LT,
  CLMRS_XPATH_TOKEN_LE,
  CLMRS_XPATH_TOKEN_GT,
  CLMRS_XPATH_TOKEN_GE,
} ClmrsXPathTokenKind;

typedef struct {
  ClmrsXPathTokenKind kind;
  gsize               start;    /* byte offsets into the expression */
  gsize               end;
} ClmrsXPathToken;

typedef enum {
  CLMRS_XPATH_NODE_BINARY,      /* left op right */
  CLMRS_XPATH_NODE_NEGATE,      /* - left */
  CLMRS_XPATH_NODE_LITERAL,
  CLMRS_XPATH_NODE_NUMBER,
  CLMRS_XPATH_NODE_VARIABLE,
  CLMRS_XPATH_NODE_CALL,        /* name(args) */
  CLMRS_XPATH_NODE_GROUP,       /* ( left ) */
  CLMRS_XPATH_NODE_PATH,        /* [filter predicates] [/ or //] steps */
} ClmrsXPathNodeKind;

typedef enum {
  CLMRS_XPATH_STEP_SELF,        /* . */
  CLMRS_XPATH_STEP_PARENT,      /* .. */
  CLMRS_XPATH_STEP_NAME,        /* a name test on the child axis: name, prefix:name, *, prefix:* */
  CLMRS_XPATH_STEP_ATTRIBUTE,   /* @test */
  CLMRS_XPATH_STEP_AXIS,        /* axis::test, any axis written out */
  CLMRS_XPATH_STEP_NODE_TYPE,   /* text(), node(), comment(), processing-instruction() */
} ClmrsXPathStepKind;

typedef struct _ClmrsXPathNode ClmrsXPathNode;

/* One location step; token indices are inclusive. */
typedef struct {
  ClmrsXPathStepKind  kind;
  gboolean            descendant;   /* reached through '//' */
  guint               first;
  guint               last;         /* its last predicate's ']' included */
  guint               test;         /* the node test's token */
  GPtrArray          *predicates;   /* ClmrsXPathNode*, or NULL */
} ClmrsXPathStep;

/* One expression; the tree owns every node.  Token indices are inclusive. */
struct _ClmrsXPathNode {
  ClmrsXPathNodeKind   kind;
  guint                first;
  guint                last;
  ClmrsXPathTokenKind  op;                 /* BINARY: its operator */
  ClmrsXPathNode      *left;               /* BINARY, NEGATE, GROUP */
  ClmrsXPathNode      *right;              /* BINARY */
  GPtrArray           *args;               /* CALL: ClmrsXPathNode* */
  ClmrsXPathNode      *filter;             /* PATH: the primary expression it starts from, or NULL */
  GPtrArray           *filter_predicates;  /* PATH: the filter's predicates, or NULL */
  gboolean             absolute;           /* PATH: starts with / or // */
  GPtrArray           *steps;              /* PATH: ClmrsXPathStep*, or NULL */
};

typedef struct {
  char            *source;
  GArray          *tokens;        /* ClmrsXPathToken, ending with CLMRS_XPATH_TOKEN_END */
  ClmrsXPathNode  *root;
  GPtrArray       *comparisons;   /* the BINARY nodes with < <= > >=, in source order */
  GPtrArray       *arrays;        /* every GPtrArray of the tree, to free */
  GPtrArray       *blocks;        /* the nodes and steps, allocated in blocks */
  gsize            block_used;    /* bytes taken in the last block */
} ClmrsXPathTree;

/* An edit on the source: bytes start..end replaced by text (start == end: an
 * insertion).  Edits at one place apply in the order of their kind: what
 * wraps a path or a call (innermost) closes first, comparison calls close
 * from the inside out, a comparison's operator, comparison calls open from
 * the outside in, then what wraps or rewrites a path opens. */
typedef enum {
  CLMRS_XPATH_EDIT_WRAP_CLOSE,
  CLMRS_XPATH_EDIT_CALL_CLOSE,
  CLMRS_XPATH_EDIT_OPERATOR,
  CLMRS_XPATH_EDIT_CALL_OPEN,
  CLMRS_XPATH_EDIT_WRAP_OPEN,
} ClmrsXPathEditKind;

typedef struct {
  gsize               start;
  gsize               end;
  ClmrsXPathEditKind  kind;
  gsize               size;   /* CALL_*: the span of the call, to order nested ones */
  guint               seq;    /* WRAP_*: the order they were added */
  char               *text;
} ClmrsXPathEdit;

GQuark           clmrs_xpath_error_quark   (void);

ClmrsXPathTree  *clmrs_xpath_parse         (const char            *expr,
                                            GError               **error);
void             clmrs_xpath_tree_free     (ClmrsXPathTree        *tree);
const ClmrsXPathToken *
                 clmrs_xpath_tree_token    (const ClmrsXPathTree  *tree,
                                            guint                  index);
char            *clmrs_xpath_tree_text     (const ClmrsXPathTree  *tree,
                                            guint                  index);

GArray          *clmrs_xpath_edits_new     (void);
void             clmrs_xpath_edits_add     (GArray                *edits,
                                            ClmrsXPathEditKind     kind,
                                            gsize                  start,
                                            gsize                  end,
                                            gsize                  size,
                                            const char            *text);
char            *clmrs_xpath_apply_edits   (const char            *source,
                                            GArray                *edits);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsXPathTree, clmrs_xpath_tree_free)

G_END_DECLS
