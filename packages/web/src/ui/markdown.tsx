import { Fragment, type ReactNode } from 'react';
import { Lexer, type Token, type Tokens } from 'marked';

/**
 * Project instructions as Markdown, rendered to React elements from the parsed tokens: raw HTML
 * in the source shows as text, links keep only http(s) and mailto targets. Nothing is ever
 * inserted as HTML.
 */
export function Markdown({ source }: { source: string }) {
  const tokens = new Lexer({ gfm: true }).lex(source);
  return <div className="markdown">{blocks(tokens)}</div>;
}

const SAFE_LINK = /^(https?:|mailto:)/i;

function blocks(tokens: Token[]): ReactNode[] {
  return tokens.map((token, index) => <Fragment key={index}>{block(token)}</Fragment>);
}

function block(token: Token): ReactNode {
  switch (token.type) {
    case 'heading': {
      const heading = token as Tokens.Heading;
      const Tag = `h${Math.min(6, heading.depth + 2)}` as 'h3';
      return <Tag>{inline(heading.tokens)}</Tag>;
    }
    case 'paragraph':
      return <p>{inline((token as Tokens.Paragraph).tokens)}</p>;
    case 'list': {
      const list = token as Tokens.List;
      const items = list.items.map((item, index) => <li key={index}>{blocks(item.tokens)}</li>);
      return list.ordered ? <ol>{items}</ol> : <ul>{items}</ul>;
    }
    case 'code':
      return (
        <pre>
          <code>{(token as Tokens.Code).text}</code>
        </pre>
      );
    case 'blockquote':
      return <blockquote>{blocks((token as Tokens.Blockquote).tokens)}</blockquote>;
    case 'hr':
      return <hr />;
    case 'table': {
      const table = token as Tokens.Table;
      return (
        <table>
          <thead>
            <tr>
              {table.header.map((cell, index) => (
                <th key={index}>{inline(cell.tokens)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, index) => (
              <tr key={index}>
                {row.map((cell, column) => (
                  <td key={column}>{inline(cell.tokens)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
    }
    case 'space':
      return null;
    case 'text': {
      const text = token as Tokens.Text;
      return <p>{text.tokens ? inline(text.tokens) : text.text}</p>;
    }
    default:
      return <p>{'raw' in token ? token.raw : ''}</p>;
  }
}

function inline(tokens: Token[] | undefined): ReactNode[] {
  return (tokens ?? []).map((token, index) => <Fragment key={index}>{span(token)}</Fragment>);
}

function span(token: Token): ReactNode {
  switch (token.type) {
    case 'strong':
      return <strong>{inline((token as Tokens.Strong).tokens)}</strong>;
    case 'em':
      return <em>{inline((token as Tokens.Em).tokens)}</em>;
    case 'del':
      return <del>{inline((token as Tokens.Del).tokens)}</del>;
    case 'codespan':
      return <code>{(token as Tokens.Codespan).text}</code>;
    case 'br':
      return <br />;
    case 'link': {
      const link = token as Tokens.Link;
      if (!SAFE_LINK.test(link.href)) return inline(link.tokens);
      return (
        <a href={link.href} target="_blank" rel="noopener noreferrer nofollow">
          {inline(link.tokens)}
        </a>
      );
    }
    case 'text': {
      const text = token as Tokens.Text;
      return text.tokens ? inline(text.tokens) : text.text;
    }
    case 'escape':
      return (token as Tokens.Escape).text;
    default:
      // Raw HTML, images and anything else: shown as the text it was written as.
      return 'raw' in token ? token.raw : '';
  }
}
