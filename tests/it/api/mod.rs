mod accounts;
mod apps;
mod instance;
mod oauth_code;
mod oauth_grants;
mod scopes;
