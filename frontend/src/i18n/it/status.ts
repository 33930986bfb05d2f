import type en from '../en/status';

// Italian strings of posts (every English key must be here).
export default {
  'status.audience_company': 'Solo azienda',
  'status.audience_public': 'Pubblico',
  'status.audience_unlisted': 'Pubblico silenzioso',
  'status.audience_followers': 'Follower',
  'status.audience_direct': 'Diretto',
  'status.boosted_by': '{name} ha condiviso',
  'status.in_reply': 'In risposta a un post',
  'status.cw_show': 'Mostra il post',
  'status.cw_hide': 'Nascondi il post',
  'status.sensitive_show': 'Contenuto sensibile: mostra',
  'status.media_no_description': 'Media senza descrizione',
  'status.reply': 'Rispondi',
  'status.boost': 'Condividi',
  'status.favourite': 'Preferito',
  'status.bookmark': 'Segnalibro',
  'status.edit': 'Modifica',
  'status.delete': 'Elimina',
  'status.delete_confirm': 'Eliminare questo post? Non si può annullare.',
  'status.review_pending': 'In attesa di revisione: solo tu e i revisori potete vedere questo post finché non è approvato.',
  'status.review_rejected': 'Non approvato: questo post non è stato pubblicato.',
  'status.review_reason': 'Motivo: {reason}',
} satisfies Record<keyof typeof en, string>;
