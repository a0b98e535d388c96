/** One e-mail as the app hands it to the provider: both parts, and the headers it adds. */
export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers (List-Unsubscribe…), as the provider passes them on. */
  headers: Record<string, string>;
}

/** The provider accepted the mail: its id for it. */
export interface MailAccepted {
  id: string;
}
