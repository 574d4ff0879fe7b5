import { useEffect, useRef } from 'react';
import { Button, Space, Tooltip } from 'antd';
import { BoldOutlined, ItalicOutlined, LinkOutlined, OrderedListOutlined, UnorderedListOutlined } from '@ant-design/icons';

/**
 * The campaign body editor: paragraphs, bold, italic, lists and links (what the API keeps
 * of the HTML: it sanitises the body and refuses scripts, so nothing here is trusted).
 */
export function RichText({ value = '', onChange }: { value?: string; onChange?: (html: string) => void }) {
  const editor = useRef<HTMLDivElement | null>(null);
  // Written into the element only when it differs, so the caret stays where the user types.
  useEffect(() => {
    if (editor.current && editor.current.innerHTML !== value) editor.current.innerHTML = value;
  }, [value]);

  const run = (command: string, arg?: string) => {
    editor.current?.focus();
    // execCommand is deprecated but still the one editing API every browser implements.
    document.execCommand(command, false, arg);
    onChange?.(editor.current?.innerHTML ?? '');
  };

  return (
    <div style={{ border: '1px solid #d9d9d9', borderRadius: 6 }}>
      <Space style={{ padding: 6, borderBottom: '1px solid #f0f0f0' }}>
        <Tooltip title="加粗">
          <Button size="small" icon={<BoldOutlined />} onClick={() => run('bold')} aria-label="加粗" />
        </Tooltip>
        <Tooltip title="斜体">
          <Button size="small" icon={<ItalicOutlined />} onClick={() => run('italic')} aria-label="斜体" />
        </Tooltip>
        <Tooltip title="项目符号列表">
          <Button size="small" icon={<UnorderedListOutlined />} onClick={() => run('insertUnorderedList')} aria-label="项目符号列表" />
        </Tooltip>
        <Tooltip title="编号列表">
          <Button size="small" icon={<OrderedListOutlined />} onClick={() => run('insertOrderedList')} aria-label="编号列表" />
        </Tooltip>
        <Tooltip title="链接">
          <Button
            size="small"
            icon={<LinkOutlined />}
            aria-label="链接"
            onClick={() => {
              const url = window.prompt('链接地址（http 或 https）');
              if (url && /^https?:\/\//.test(url)) run('createLink', url);
            }}
          />
        </Tooltip>
      </Space>
      <div
        ref={editor}
        contentEditable
        suppressContentEditableWarning
        role="textbox"
        aria-multiline="true"
        aria-label="活动正文"
        data-testid="campaign-body"
        // Enter starts a paragraph (<p>, which the API keeps), not a <div>.
        onFocus={() => {
          document.execCommand('defaultParagraphSeparator', false, 'p');
          // An empty body starts with a paragraph, so the first line is one too.
          const el = editor.current;
          if (el && !el.textContent && !el.querySelector('p')) {
            el.innerHTML = '<p><br></p>';
            const range = document.createRange();
            range.setStart(el.firstChild!, 0);
            range.collapse(true);
            window.getSelection()?.removeAllRanges();
            window.getSelection()?.addRange(range);
          }
        }}
        onInput={() => onChange?.(editor.current?.innerHTML ?? '')}
        style={{ minHeight: 180, padding: '8px 12px', outline: 'none' }}
      />
    </div>
  );
}
