/**
 * DOM stand-ins for @tarojs/components in component tests (jsdom): the props our
 * components use, mapped to plain elements; Taro's { detail: { value } } events kept.
 */
import { createElement, type ReactNode } from 'react';

type AnyProps = { children?: ReactNode; className?: string; onClick?: () => void; [key: string]: unknown };

function pick(props: AnyProps) {
  return { className: props.className, onClick: props.onClick, 'data-testid': props['data-testid'] as string | undefined };
}

const box = (tag: string) =>
  function Box(props: AnyProps) {
    return createElement(tag, pick(props), props.children);
  };

export const View = box('div');
export const Text = box('span');
export const ScrollView = box('div');
export const Map = box('div');
export const Picker = box('div');
export const RichText = (props: { nodes?: string }) => createElement('div', { dangerouslySetInnerHTML: { __html: props.nodes ?? '' } });
export const Image = (props: AnyProps & { src?: string }) => createElement('img', { ...pick(props), src: props.src, alt: '' });

type FieldProps = AnyProps & { value?: string; placeholder?: string; onInput?: (e: { detail: { value: string } }) => void };
export const Input = (props: FieldProps) =>
  createElement('input', {
    ...pick(props),
    value: props.value ?? '',
    placeholder: props.placeholder,
    onChange: (e: { target: { value: string } }) => props.onInput?.({ detail: { value: e.target.value } }),
  });
export const Textarea = (props: FieldProps) =>
  createElement('textarea', {
    ...pick(props),
    value: props.value ?? '',
    placeholder: props.placeholder,
    onChange: (e: { target: { value: string } }) => props.onInput?.({ detail: { value: e.target.value } }),
  });
export const Switch = (props: AnyProps & { checked?: boolean; onChange?: (e: { detail: { value: boolean } }) => void }) =>
  createElement('input', {
    type: 'checkbox',
    checked: !!props.checked,
    onChange: (e: { target: { checked: boolean } }) => props.onChange?.({ detail: { value: e.target.checked } }),
  });
