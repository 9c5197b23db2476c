"""个人中心: profile (avatar, name, gender, 报关员章), account security, form preferences (表单设置)."""
