// Function Compute 3.0 HTTP trigger events and contexts, shaped as FC delivers them to a handler: the
// same builders the local runtime's gateway uses.

export { fcContext, httpEvent } from '../../local/fc-event';
