import { mediaUrl } from '../api';

/** One attachment shown as what it is: text as text (never HTML), images, audio, video, links. */
export function Attachment(props: { type: string; content: string; label: string }) {
  const { type, content, label } = props;
  switch (type) {
    case 'text':
      return (
        <div className="attachment-text" role="document" aria-label={label} dir="auto">
          {content}
        </div>
      );
    case 'image':
      return <img className="attachment-image" src={mediaUrl(content)} alt={label} />;
    case 'audio':
      return <audio controls src={mediaUrl(content)} aria-label={label} />;
    case 'video':
      return <video controls src={mediaUrl(content)} aria-label={label} />;
    default:
      return (
        <a
          href={mediaUrl(content)}
          target="_blank"
          rel="noopener noreferrer nofollow"
          aria-label={label}
        >
          {content}
        </a>
      );
  }
}
