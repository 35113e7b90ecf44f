// Temporal's failure converter with messages and stack traces moved into an (encoded, hence
// sealed) payload: a failure's text can name a repository, a branch or a workspace path, and
// would otherwise sit in plaintext in the history. CommonJS and plain JavaScript because the SDK
// loads it by path with require() (clients, activities) and bundles it into the workflow code.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
