/**
 * Phrase lists for the intent rules. Each list is matched against the post's normalised words joined by single
 * spaces (" dm me "), so a phrase matches whole words only. Kept here, apart from the rules, so that tuning the
 * vocabulary never touches the decision logic.
 */

/** Bots, scams and link farms. */
export const SPAM_PHRASES = [
  'follow back', 'followback', 'f4f', 'follow4follow', 'crypto', 'bitcoin', 'btc', 'nft', 'airdrop', 'giveaway',
  'click here', 'click the link', 'free followers', 'make money', 'earn money', 'work from home', 'winner',
  'claim your', 'limited time', '100 free', 'free gift', 'forex', 'onlyfans', 'promo code inside', 'retweet to win',
  'rt to win', 'dm to claim', 'investment opportunity', 'double your',
];

/** Sellers and self-promotion aimed at the brand. Strong phrases alone decide; weak ones need company. */
export const SALES_STRONG = [
  'i can help you grow', 'i can help your', 'i can help you get', 'help you grow', 'grow your', 'check out my',
  'discount code', 'hire me', 'seo', 'our services', 'my services', 'we offer', 'i offer', 'boost your',
  'get more followers', 'followers for', 'web design', 'website design', 'social media manager',
  'for business inquiries', 'let s collaborate', "let's collaborate", 'collab', 'dm for rates', 'dm me for',
  'increase your sales', 'more customers', 'affordable', 'i am a freelancer', "i'm a freelancer", 'freelance',
];
export const SALES_WEAK = ['dm me', 'promo', 'hire', 'followers', 'your brand', 'your business', 'marketing', 'agency'];

/** Headlines and broadcasts. */
export const NEWS_PHRASES = [
  'reports', 'reported', 'according to', 'announces', 'announced', 'shares fall', 'shares rise', 'shares drop',
  'stock', 'stocks', 'earnings', 'ceo', 'press release', 'acquires', 'acquisition', 'lawsuit', 'report',
];

/** Suggestions for the product. */
export const IDEA_PHRASES = [
  'you should', 'you guys should', 'y all should', "y'all should", 'it would be great if', 'would be great if',
  'would be nice', 'would be great', 'would love', 'please add', 'pls add', 'plz add', 'feature request',
  'why not', 'wish you had', 'wish you would', 'wish you guys', 'i wish', 'how about', 'suggestion', 'consider adding',
  'should add', 'could you add', 'can you add', 'bring back', 'add an option', 'add a feature', 'should make',
];

/** Asks the brand to act. */
export const REQUEST_PHRASES = [
  'please fix', 'please refund', 'please call', 'please send', 'please help', 'please cancel', 'please check',
  'please reply', 'please respond', 'please look', 'please dm', 'please contact', 'please update', 'please reset',
  'pls fix', 'pls help', 'plz help', 'can you', 'could you', 'can u', 'need you to', 'cancel my', 'refund my',
  'i want a refund', 'i need a refund', 'i want my money back', 'help me', 'send me', 'call me', 'dm me',
  'get back to me', 'contact me', 'fix this', 'fix it', 'sort this out', 'sort it out', 'reset my', 'unlock my',
  'i need help', 'need help', 'want to cancel', 'want to speak', 'speak to', 'talk to someone',
];

/** Words that open a question. Counted only at the start of a sentence (after any leading @mentions). */
export const QUESTION_OPENERS: ReadonlySet<string> = new Set([
  'how', 'what', 'when', 'why', 'where', 'who', 'which', 'is', 'are', 'can', 'could', 'does', 'do', 'did', 'will',
  'would', 'should', 'has', 'have', 'any', 'anyone', 'whats', "what's", "where's", "how's", 'hows', 'am', 'was',
  'were', "isn't", "aren't", "doesn't", "don't", "didn't", "won't", "can't",
]);

/** Something is broken with the product or service. */
export const PROBLEM_WORDS: ReadonlySet<string> = new Set([
  'down', 'outage', 'outages', 'broken', 'broke', 'crash', 'crashed', 'crashes', 'crashing', 'lag', 'laggy',
  'lagging', 'error', 'errors', 'bug', 'bugs', 'buggy', 'glitch', 'glitchy', 'delayed', 'delay', 'delays', 'late',
  'lost', 'missing', 'charged', 'overcharged', 'refund', 'cancel', 'cancelled', 'canceled', 'waiting', 'waited',
  'slow', 'service', 'internet', 'wifi', 'signal', 'connection', 'disconnected', 'order', 'package', 'delivery',
  'account', 'bill', 'billing', 'payment', 'app', 'website', 'site', 'flight', 'bag', 'baggage', 'luggage',
  'support', 'customer', 'hold', 'problem', 'problems', 'issue', 'issues', 'fail', 'failed', 'failing', 'fails',
  'froze', 'freezing', 'frozen', 'unacceptable', 'working', 'work', 'works', 'fix', 'fixed', 'stuck', 'damaged',
  'wrong', 'never', 'nobody', 'hours', 'days', 'weeks', 'scam', 'phone', 'update', 'login', 'password',
]);

/** Marks of a repeated or escalating complaint. Also raise priority. */
export const URGENCY_WORDS: ReadonlySet<string> = new Set([
  'still', 'again', 'urgent', 'urgently', 'asap', 'lawyer', 'lawyers', 'sue', 'cancel', 'cancelling', 'canceling',
  'emergency', 'immediately', 'now', 'escalate', 'complaint', 'ombudsman', 'bbb', 'fcc',
]);
export const URGENCY_PHRASES = ['third time', '3rd time', 'fourth time', 'never again', 'last time', 'every time', 'for days', 'for hours', 'for weeks', 'no one', 'nobody has'];

/** Words that make a positive post praise (rather than positive chatter). */
export const PRAISE_WORDS: ReadonlySet<string> = new Set([
  'thanks', 'thank', 'thx', 'ty', 'love', 'loving', 'great', 'awesome', 'amazing', 'best', 'excellent', 'perfect',
  'fixed', 'resolved', 'helpful', 'kudos', 'brilliant', 'fantastic', 'legend', 'appreciate', 'appreciated', 'impressed',
  'wonderful', 'superb', 'shoutout', 'props', 'quick', 'fast', 'good',
]);

/** First and second person: headlines have none; customers and sellers have plenty. */
export const PERSONAL_PRONOUNS: ReadonlySet<string> = new Set([
  'i', 'me', 'my', 'mine', "i'm", "i've", "i'd", "i'll", 'im', 'we', 'us', 'our', 'you', 'your', 'yours', "you're",
  'u', 'ur', 'ya', 'yall', "y'all",
]);
