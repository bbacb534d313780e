import type { Generated } from 'kysely';

/**
 * Table shapes shared by both dialects. Times are epoch milliseconds; booleans are 0/1 integers and lists are JSON
 * text, so SQLite and PostgreSQL read and write the same values through one query layer.
 */
export interface Database {
  brands: { id: Generated<number>; name: string; keywords: string };
  brand_accounts: { id: Generated<number>; brand_id: number; network: string; handle: string; handle_lc: string; external_id: string | null };
  customers: { id: Generated<number>; display_name: string | null; created_at: number };
  identities: {
    id: Generated<number>;
    customer_id: number | null;
    network: string;
    external_id: string;
    handle: string;
    display_name: string | null;
    followers: number | null;
    verified: number;
    brand_id: number | null;
  };
  conversations: {
    id: Generated<number>;
    brand_id: number | null;
    customer_id: number;
    network: string;
    status: string;
    assignee_id: number | null;
    tags: string;
    priority: number;
    intent: string;
    sentiment: string;
    preview: string;
    dismissed_reason: string | null;
    opened_at: number;
    last_inbound_at: number | null;
    last_outbound_at: number | null;
    first_response_at: number | null;
    resolved_at: number | null;
    post_count: number;
    updated_at: number;
    waiting_since: number | null;
  };
  posts: {
    id: Generated<number>;
    network: string;
    external_id: string;
    conversation_id: number | null;
    identity_id: number;
    direction: string;
    text: string;
    created_at: number;
    ingested_at: number;
    url: string | null;
    lang: string | null;
    in_reply_to_id: string | null;
    root_id: string | null;
    repost_of_id: string | null;
    quoted_id: string | null;
    is_private: number;
    mentions: string;
    hashtags: string;
    urls: string;
    source: string;
    sentiment: string;
    sentiment_score: number;
    intent: string;
    intent_score: number;
    needs_reply: number;
    priority: number;
    language: string;
    reasons: string;
    sent_by: number | null;
  };
  replies: {
    id: Generated<number>;
    conversation_id: number;
    network: string;
    account_handle: string;
    text: string;
    in_reply_to_external_id: string | null;
    is_private: number;
    status: string;
    attempts: number;
    last_error: string | null;
    external_id: string | null;
    post_id: number | null;
    created_by: number | null;
    created_at: number;
    sent_at: number | null;
    next_attempt_at: number;
  };
  quarantine: { id: Generated<number>; source: string; line: number | null; reason: string; sample: string; received_at: number };
  users: {
    id: Generated<number>;
    email: string;
    name: string;
    role: string;
    password_hash: string;
    signature: string | null;
    disabled: number;
    created_at: number;
  };
  sessions: { id_hash: string; user_id: number; expires_at: number; created_at: number };
  api_tokens: { hash: string; user_id: number; name: string; created_at: number };
  cursors: { key: string; value: string; updated_at: number };
  audit_log: { id: Generated<number>; at: number; user_id: number | null; action: string; target: string | null; detail: string | null };
  label_corrections: { post_id: number; field: string; model_value: string; corrected_value: string; user_id: number | null; created_at: number };
}
